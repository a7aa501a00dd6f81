//! The mails Talkdeck sends. Codes and links are also in the subject or on a line of their own
//! so that people (and scripts reading the outbox) find them easily.

use super::OutgoingMail;

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn wrap_html(body: &str) -> String {
    format!(
        "<!doctype html>\n<html><body style=\"font-family:sans-serif;color:#0f172a\">\n{body}\n\
         <p style=\"color:#64748b;font-size:12px\">Talkdeck</p>\n</body></html>"
    )
}

pub fn verification_code(to: &str, name: &str, code: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: format!("Your Talkdeck verification code: {code}"),
        text: format!(
            "Hi {name},\n\nYour Talkdeck verification code is:\n\n{code}\n\n\
             It expires in 10 minutes. If you did not sign up, ignore this mail.\n"
        ),
        html: wrap_html(&format!(
            "<p>Hi {},</p>\n<p>Your Talkdeck verification code is:</p>\n\
             <p style=\"font-size:28px;letter-spacing:4px\"><strong>{code}</strong></p>\n\
             <p>It expires in 10 minutes. If you did not sign up, ignore this mail.</p>",
            html_escape(name)
        )),
    }
}

pub fn password_reset(to: &str, name: &str, link: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: "Reset your Talkdeck password".into(),
        text: format!(
            "Hi {name},\n\nSomeone asked to reset the password of your Talkdeck account.\n\
             To choose a new password, open this link within one hour:\n\n{link}\n\n\
             If it was not you, ignore this mail: your password stays as it is.\n"
        ),
        html: wrap_html(&format!(
            "<p>Hi {},</p>\n<p>Someone asked to reset the password of your Talkdeck account.\n\
             To choose a new password, open this link within one hour:</p>\n\
             <p><a href=\"{l}\">{l}</a></p>\n\
             <p>If it was not you, ignore this mail: your password stays as it is.</p>",
            html_escape(name),
            l = html_escape(link)
        )),
    }
}

/// Sent when someone signs up with an address that already has a verified account: sign-up
/// answers alike for every address, so the owner is the one who learns about it.
pub fn account_exists(to: &str, name: &str, login: &str, reset: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: "You already have a Talkdeck account".into(),
        text: format!(
            "Hi {name},\n\nSomeone tried to sign up for Talkdeck with this address,\n\
             which already has an account. If it was you, log in:\n\n{login}\n\n\
             Forgot your password? Reset it here:\n\n{reset}\n\n\
             If it was not you, ignore this mail: nothing changed.\n"
        ),
        html: wrap_html(&format!(
            "<p>Hi {},</p>\n<p>Someone tried to sign up for Talkdeck with this address, which already has an account.\n\
             If it was you, <a href=\"{l}\">log in</a>. Forgot your password? <a href=\"{r}\">Reset it</a>.</p>\n\
             <p>If it was not you, ignore this mail: nothing changed.</p>",
            html_escape(name),
            l = html_escape(login),
            r = html_escape(reset)
        )),
    }
}

pub fn invitation(to: &str, inviter: &str, project: &str, role: &str, link: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: format!("{inviter} invited you to {project} on Talkdeck"),
        text: format!(
            "Hi,\n\n{inviter} invited you to join the project \"{project}\"\n\
             on Talkdeck as {role}. To accept, open this link within 7 days:\n\n{link}\n\n\
             New to Talkdeck? The link leads you through sign-up first.\n"
        ),
        html: wrap_html(&format!(
            "<p>Hi,</p>\n<p>{} invited you to join the project <strong>{}</strong> on Talkdeck as {}.\n\
             To accept, open this link within 7 days:</p>\n<p><a href=\"{l}\">{l}</a></p>\n\
             <p>New to Talkdeck? The link leads you through sign-up first.</p>",
            html_escape(inviter),
            html_escape(project),
            html_escape(role),
            l = html_escape(link)
        )),
    }
}

/// To a project's admins: one of its webhook endpoints was disabled after failing for days.
pub fn webhook_disabled(to: &str, project: &str, url: &str, reason: &str, link: &str) -> OutgoingMail {
    OutgoingMail {
        to: to.into(),
        subject: format!("A webhook endpoint of {project} was disabled"),
        text: format!(
            "Hi,\n\nTalkdeck disabled the webhook endpoint\n\n{url}\n\nof the project \"{project}\": {reason}\n\
             Events are no longer sent to it. Once it works again, enable it in the project's\n\
             webhook settings and replay what it missed:\n\n{link}\n"
        ),
        html: wrap_html(&format!(
            "<p>Hi,</p>\n<p>Talkdeck disabled the webhook endpoint <code>{}</code> of the project <strong>{}</strong>: {}</p>\n\
             <p>Events are no longer sent to it. Once it works again, enable it in the project's webhook settings and replay what it missed:</p>\n\
             <p><a href=\"{l}\">{l}</a></p>",
            html_escape(url),
            html_escape(project),
            html_escape(reason),
            l = html_escape(link)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_mail_carries_code_in_subject_and_body() {
        let m = verification_code("a@b.co", "Ada", "123456");
        assert!(m.subject.ends_with("123456"));
        assert!(m.text.contains("\n123456\n"));
        assert!(m.html.contains("123456"));
    }

    #[test]
    fn text_parts_fit_seven_bit_lines_with_the_default_public_url() {
        let link = format!("http://127.0.0.1:3000/reset-password?token={}", "a".repeat(22));
        for m in [verification_code("a@b.co", "Ada", "123456"), password_reset("a@b.co", "Ada", &link)] {
            assert!(m.text.lines().all(|l| l.len() < 76), "{}", m.text);
        }
    }

    #[test]
    fn names_are_escaped_in_html() {
        let m = password_reset("a@b.co", "<script>", "http://x/reset-password?token=abc");
        assert!(!m.html.contains("<script>"));
        assert!(m.text.contains("http://x/reset-password?token=abc"));
    }
}
