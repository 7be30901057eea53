use std::fmt;

/// What a poll saw: the store was taking orders (`Active`) or not (`Inactive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Inactive,
    Active,
}

/// A text that is not a status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not active or inactive")]
pub struct StatusError(String);

impl std::str::FromStr for Status {
    type Err = StatusError;

    /// `active` / `inactive`, ignoring ASCII case (`Active` is accepted).
    fn from_str(text: &str) -> Result<Status, StatusError> {
        if text.eq_ignore_ascii_case("active") {
            Ok(Status::Active)
        } else if text.eq_ignore_ascii_case("inactive") {
            Ok(Status::Inactive)
        } else {
            Err(StatusError(text.to_string()))
        }
    }
}

impl Status {
    /// Parses `active` / `inactive`, ignoring ASCII case (`Active` is accepted).
    pub fn parse(text: &str) -> Result<Status, StatusError> {
        text.parse()
    }

    /// `Active` when `active`.
    pub fn from_active(active: bool) -> Status {
        if active {
            Status::Active
        } else {
            Status::Inactive
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
            Status::parse("actve").unwrap_err().to_string(),
            "\"actve\" is not active or inactive"
        );
        assert!(Status::parse("").is_err());
    }
}
