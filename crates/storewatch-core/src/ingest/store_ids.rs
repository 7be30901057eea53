//! The distinct store ids of a polls file, interned: each id once, in order
//! of first appearance, in one buffer, found again through a table of
//! indices. A file may name millions of distinct stores; held as a `String`
//! each, and again as a hash map's keys, 2.5 million ids took some 400 MiB,
//! where this takes their bytes plus 12 bytes each.

use std::fmt;
use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

/// Store ids in order of first appearance, each once.
#[derive(Clone, Default)]
pub struct StoreIds {
    /// Every id, one after the other.
    text: String,
    /// Where the `n`-th id ends in `text`.
    ends: Vec<usize>,
    /// Indices into `ends`, by the hash of their id.
    index: HashTable<u32>,
    hasher: RandomState,
}

impl StoreIds {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The `n`-th id.
    ///
    /// # Panics
    /// When there are not that many.
    pub fn get(&self, n: usize) -> &str {
        let start = if n == 0 { 0 } else { self.ends[n - 1] };
        &self.text[start..self.ends[n]]
    }

    /// The ids, in order of first appearance.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|n| self.get(n))
    }

    /// The index of `id`, added if it is new.
    ///
    /// # Panics
    /// Past 4 billion distinct ids.
    pub fn intern(&mut self, id: &str) -> u32 {
        let hash = self.hasher.hash_one(id);
        let (text, ends) = (&self.text, &self.ends);
        let id_at = |n: u32| {
            let n = n as usize;
            let start = if n == 0 { 0 } else { ends[n - 1] };
            &text[start..ends[n]]
        };
        if let Some(&n) = self.index.find(hash, |&n| id_at(n) == id) {
            return n;
        }
        let n = u32::try_from(self.ends.len()).expect("fewer than 4 billion stores");
        let hasher = &self.hasher;
        self.index
            .insert_unique(hash, n, |&m| hasher.hash_one(id_at(m)));
        self.text.push_str(id);
        self.ends.push(self.text.len());
        n
    }
}

impl fmt::Debug for StoreIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for StoreIds {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text && self.ends == other.ends
    }
}

impl Eq for StoreIds {}

impl<S: AsRef<str>> PartialEq<[S]> for StoreIds {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for StoreIds {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> FromIterator<S> for StoreIds {
    fn from_iter<I: IntoIterator<Item = S>>(ids: I) -> StoreIds {
        let mut out = StoreIds::default();
        for id in ids {
            out.intern(id.as_ref());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_id_once_in_order_of_first_appearance() {
        let mut ids = StoreIds::default();
        assert_eq!(ids.intern("b"), 0);
        assert_eq!(ids.intern("a"), 1);
        assert_eq!(ids.intern("b"), 0);
        assert_eq!(ids.intern(""), 2);
        assert_eq!(ids.intern("ab"), 3);
        assert_eq!(ids.intern("a"), 1);
        assert_eq!(ids, vec!["b", "a", "", "ab"]);
        assert_eq!(ids.get(3), "ab");
        assert_eq!(format!("{ids:?}"), r#"["b", "a", "", "ab"]"#);
    }

    #[test]
    fn many_ids_keep_their_indices_as_the_table_grows() {
        let mut ids = StoreIds::default();
        for i in 0..100_000u32 {
            assert_eq!(ids.intern(&format!("store-{i}")), i);
        }
        for i in (0..100_000u32).step_by(7) {
            assert_eq!(ids.intern(&format!("store-{i}")), i);
            assert_eq!(ids.get(i as usize), format!("store-{i}"));
        }
        assert_eq!(ids.len(), 100_000);
    }
}
