use crate::model::AppError;
use phonenumber::{country, Mode};

/// A valid phone number, normalised to E.164 with libphonenumber's metadata (the `phonenumber`
/// port), plus the display forms the API returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct E164 {
    e164: String,
    country: Option<String>,
    national: String,
    international: String,
}

impl E164 {
    /// Parses what a person typed: international (`+44 20 7946 0958`, `0044...`) or national in
    /// `default_country` (ISO 3166 alpha-2, e.g. `US`). Refuses impossible and unassigned numbers.
    pub fn parse(raw: &str, default_country: Option<&str>, field: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(AppError::field(field, "Enter a phone number."));
        }
        if s.len() > 40 || s.chars().any(|c| c.is_alphabetic()) {
            return Err(AppError::field(field, "This is not a phone number."));
        }
        let region = match default_country.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(
                c.to_ascii_uppercase()
                    .parse::<country::Id>()
                    .map_err(|_| AppError::field("country", format!("{c} is not a country code we know (use e.g. US, GB, DE).")))?,
            ),
            None => None,
        };
        let number = phonenumber::parse(region, s).map_err(|_| {
            AppError::field(
                field,
                if region.is_none() && !s.starts_with('+') {
                    "Include the country code (e.g. +1 415 555 2671) or choose the country."
                } else {
                    "This is not a valid phone number."
                },
            )
        })?;
        if !phonenumber::is_valid(&number) {
            return Err(AppError::field(field, "This is not a valid phone number for its country."));
        }
        Ok(E164 {
            e164: number.format().mode(Mode::E164).to_string(),
            country: number.country().id().map(|id| id.as_ref().to_string()),
            national: number.format().mode(Mode::National).to_string(),
            international: number.format().mode(Mode::International).to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// ISO 3166 alpha-2 code of the number's region, when it has one.
    pub fn country(&self) -> Option<&str> {
        self.country.as_deref()
    }

    pub fn national(&self) -> &str {
        &self.national
    }

    pub fn international(&self) -> &str {
        &self.international
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_national_input_per_country() {
        let cases = [
            ("(415) 555-2671", "US", "+14155552671", "US", "(415) 555-2671"),
            ("020 7946 0958", "GB", "+442079460958", "GB", "020 7946 0958"),
            ("030 901820", "DE", "+4930901820", "DE", "030 901820"),
            ("01 42 68 53 00", "FR", "+33142685300", "FR", "01 42 68 53 00"),
            ("02 9876 5432", "AU", "+61298765432", "AU", "(02) 9876 5432"),
        ];
        for (typed, cc, e164, country, national) in cases {
            let n = E164::parse(typed, Some(cc), "number").unwrap_or_else(|e| panic!("{typed}: {e}"));
            assert_eq!(n.as_str(), e164, "{typed}");
            assert_eq!(n.country(), Some(country));
            assert_eq!(n.national(), national, "{typed}");
        }
    }

    #[test]
    fn international_input_ignores_the_default_country() {
        let n = E164::parse("+44 20 7946 0958", Some("US"), "number").unwrap();
        assert_eq!(n.as_str(), "+442079460958");
        assert_eq!(n.international(), "+44 20 7946 0958");
        assert_eq!(E164::parse("+1-415-555-2671", None, "number").unwrap().as_str(), "+14155552671");
        // The examples of the Talkstack and Talkover pages (seeds 001 and 004).
        assert_eq!(E164::parse("+14232324232", None, "e164").unwrap().national(), "(423) 232-4232");
        assert_eq!(E164::parse("+1987654321", None, "number").map(|n| n.as_str().to_string()).ok(), None);
    }

    #[test]
    fn refuses_bad_input_with_a_clear_message() {
        for bad in ["", "   ", "12", "+1 555", "call me", "+999 123 456", "+1 415 555 26711111111111"] {
            let e = E164::parse(bad, Some("US"), "number").unwrap_err();
            assert!(e.field_message("number").is_some(), "{bad:?}");
        }
        assert!(E164::parse("415 555 2671", None, "number").unwrap_err().message.contains("country code"));
        assert!(E164::parse("415 555 2671", Some("XX"), "number").unwrap_err().field_message("country").is_some());
    }
}
