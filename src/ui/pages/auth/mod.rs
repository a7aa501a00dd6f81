//! Public account pages: sign-up, email verification, log-in and password reset. Every form is an
//! `ActionForm` whose input names equal the server function arguments, so it works as a plain
//! HTML form before the WASM loads.

mod forgot_password;
mod login;
mod reset_password;
mod signup;
mod verify;

pub use forgot_password::ForgotPasswordPage;
pub use login::LoginPage;
pub use reset_password::ResetPasswordPage;
pub use signup::SignupPage;
pub use verify::VerifyPage;
