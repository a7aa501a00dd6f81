//! Account server functions used by the auth pages, the profile and the user menu. They work as
//! plain HTML form posts before the WASM loads (leptos_axum redirects back with the error encoded
//! in the URL, or to the `redirect()` target on success) and as fetches after.

use crate::model::{AppError, UserView};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::server::{http::sf, services::accounts};

/// Creates the account and goes to the code entry page (carrying `next`, e.g. an invitation).
#[server(prefix = "/rpc", endpoint = "signup")]
pub async fn signup(name: String, email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let r = accounts::signup(&st, sf::client()?, &name, &email, &password).await?;
        let next = match next.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
            Some(n) => format!("&next={}", urlencoding::encode(&crate::server::http::safe_next(Some(n)))),
            None => String::new(),
        };
        leptos_axum::redirect(&format!("/verify?email={}{next}", urlencoding::encode(&r.user.email)));
        Ok(())
    })
    .await
}

/// Checks the mailed code; on success the browser is logged in and goes to `next` (or home).
#[server(prefix = "/rpc", endpoint = "verify_email")]
pub async fn verify_email(email: String, code: String, next: Option<String>) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let user = accounts::verify_email(&st, sf::client()?, &email, &code).await?;
        let raw = accounts::start_session(&st, &user.id, sf::session_raw().as_deref()).await?;
        sf::set_cookie(crate::server::auth::cookie::set_session(&raw, st.config.secure_cookies()));
        sf::set_cookie(crate::server::auth::throttle::set_device_cookie(&accounts::device_token(&st, &user.email), st.config.secure_cookies()));
        leptos_axum::redirect(&crate::server::http::safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

/// Mails a new code (same answer whether or not the account exists).
#[server(prefix = "/rpc", endpoint = "resend_code")]
pub async fn resend_code(email: String) -> Result<String, AppError> {
    sf::run(async {
        let st = sf::state()?;
        accounts::resend_code(&st, sf::client()?, &email).await?;
        sf::done_without_js(&format!("/verify?email={}&resent=1", urlencoding::encode(email.trim())));
        Ok("If this email has an unverified account, a new code is on its way.".to_string())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        let user = accounts::login(&st, sf::client()?, &email, &password).await?;
        let raw = accounts::start_session(&st, &user.id, sf::session_raw().as_deref()).await?;
        sf::set_cookie(crate::server::auth::cookie::set_session(&raw, st.config.secure_cookies()));
        // This browser is now trusted for this account: a stranger's wrong guesses cannot lock it out.
        sf::set_cookie(crate::server::auth::throttle::set_device_cookie(&accounts::device_token(&st, &user.email), st.config.secure_cookies()));
        leptos_axum::redirect(&crate::server::http::safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    sf::run(async {
        let st = sf::state()?;
        if let Some(raw) = sf::session_raw() {
            accounts::end_session(&st, &raw).await?;
        }
        sf::set_cookie(crate::server::auth::cookie::clear_session(st.config.secure_cookies()));
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "forgot_password")]
pub async fn forgot_password(email: String) -> Result<String, AppError> {
    sf::run(async {
        let st = sf::state()?;
        accounts::forgot_password(&st, sf::client()?, &email).await?;
        sf::done_without_js("/forgot-password?sent=1");
        Ok("If the email is registered, a reset link has been sent.".to_string())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String, confirm_password: String) -> Result<(), AppError> {
    sf::run(async {
        if new_password != confirm_password {
            return Err(AppError::field("confirm_password", "The two passwords do not match."));
        }
        let st = sf::state()?;
        accounts::reset_password(&st, sf::client()?, &token, &new_password).await?;
        leptos_axum::redirect("/login?reset=1");
        Ok(())
    })
    .await
}

#[server(prefix = "/rpc", endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String, confirm_password: String) -> Result<String, AppError> {
    sf::run(async {
        if new_password != confirm_password {
            return Err(AppError::field("confirm_password", "The two passwords do not match."));
        }
        let st = sf::state()?;
        let a = sf::actor().await?;
        accounts::change_password(&st, sf::client()?, &a, &current_password, &new_password).await?;
        sf::done_without_js("/settings/password?changed=1");
        Ok("Password changed. Your other sessions were logged out.".to_string())
    })
    .await
}

/// The logged-in user, or `None`.
#[server(prefix = "/rpc", endpoint = "current_user")]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    match sf::principal().await {
        Ok(p) => Ok(Some(accounts::user_view(&p.user))),
        Err(e) if e.code == crate::model::ErrorCode::Unauthenticated => Ok(None),
        Err(e) => sf::fail(e),
    }
}

#[server(prefix = "/rpc", endpoint = "update_profile")]
pub async fn update_profile(name: String, company_name: String) -> Result<UserView, AppError> {
    sf::run(async {
        let st = sf::state()?;
        let a = sf::actor().await?;
        let user = st.write(async |tx| accounts::update_profile(tx, &a, &name, &company_name).await).await?;
        sf::done_without_js("/settings/profile?saved=1");
        Ok(user)
    })
    .await
}
