use std::fmt;

/// What a poll saw: the store was taking orders (`Active`) or not (`Inactive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Inactive,
    Active,
}

impl Status {
    /// Parses `active` / `inactive`, ignoring ASCII case (`Active` is accepted).
    pub fn parse(text: &str) -> Result<Status, String> {
        if text.eq_ignore_ascii_case("active") {
            Ok(Status::Active)
        } else if text.eq_ignore_ascii_case("inactive") {
            Ok(Status::Inactive)
        } else {
            Err(format!("{text:?} is not active or inactive"))
        }
    }

    pub fn is_active(self) -> bool {
        self == Status::Active
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_statuses_in_any_case() {
        assert_eq!(Status::parse("active"), Ok(Status::Active));
        assert_eq!(Status::parse("INACTIVE"), Ok(Status::Inactive));
        assert_eq!(
            Status::parse("actve").unwrap_err(),
            "\"actve\" is not active or inactive"
        );
        assert!(Status::parse("").is_err());
    }
}
