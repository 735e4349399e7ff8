//! Where each key of the merged tree is, so that loading stays linear in the
//! input: every file merged and every `--set` pair finds its key through an
//! index built once per mapping (the first time something goes into it),
//! not by scanning the mapping. N pairs onto a mapping of M keys cost
//! O(N + M) instead of O(N × M) (1,000 pairs onto 100,000 keys took 0.7 s).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use super::tree::Entry;

/// The index of one value of the tree and of the values below it, in the
/// tree's shape. It is kept in step by whoever changes the tree: a value
/// replaced is [`KeyIndex::reset`], a key added is [`KeyIndex::appended`].
#[derive(Debug, Default)]
pub struct KeyIndex {
    /// For a mapping: the position of each key, once built.
    keys: Option<Positions>,
    /// The indexes of the values below, by entry position (a mapping) or
    /// list index (a list); only those something went into.
    below: HashMap<usize, KeyIndex>,
}

/// The positions of a mapping's keys by their hash: the keys are not copied
/// (a mapping of 100,000 keys costs 2 MiB of index, not 8). Keys of one
/// mapping are distinct (the parser refuses duplicates and merging keeps
/// them distinct), so a hash names one key but in a collision, which is
/// then settled by a scan.
#[derive(Debug)]
struct Positions {
    hasher: RandomState,
    first: HashMap<u64, usize>,
}

impl Positions {
    fn of(entries: &[Entry]) -> Self {
        let mut positions = Positions {
            hasher: RandomState::new(),
            first: HashMap::with_capacity(entries.len()),
        };
        for (position, entry) in entries.iter().enumerate() {
            positions.add(&entry.key, position);
        }
        positions
    }

    fn add(&mut self, key: &str, position: usize) {
        let hash = self.hasher.hash_one(key);
        self.first.entry(hash).or_insert(position);
    }

    fn find(&self, entries: &[Entry], key: &str) -> Option<usize> {
        let position = *self.first.get(&self.hasher.hash_one(key))?;
        if entries.get(position).is_some_and(|e| e.key == key) {
            Some(position)
        } else {
            // Another key of the same hash holds the slot.
            entries.iter().position(|e| e.key == key)
        }
    }
}

impl KeyIndex {
    /// The position of `key` among `entries`, the mapping this index
    /// stands for; the first call indexes the mapping.
    pub fn position(&mut self, entries: &[Entry], key: &str) -> Option<usize> {
        self.keys
            .get_or_insert_with(|| Positions::of(entries))
            .find(entries, key)
    }

    /// Notes that `key` was added to the mapping at `position` (its end).
    /// Call after [`KeyIndex::position`] (which builds the index).
    pub fn appended(&mut self, key: &str, position: usize) {
        if let Some(keys) = &mut self.keys {
            keys.add(key, position);
        }
    }

    /// The index of the value at `position` (an entry's or a list item's).
    pub fn below(&mut self, position: usize) -> &mut KeyIndex {
        self.below.entry(position).or_default()
    }

    /// Forgets everything: the value this index stands for was replaced.
    pub fn reset(&mut self) {
        *self = KeyIndex::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::error::{Location, Source};
    use crate::config::tree::{Node, Value};

    fn entry(key: &str) -> Entry {
        let at = Location::argument(Source::Flag("test"));
        Entry {
            key: key.into(),
            key_at: at.clone(),
            value: Node {
                value: Value::Null,
                at,
            },
        }
    }

    #[test]
    fn keys_are_found_at_their_position_and_added_ones_too() {
        let mut entries: Vec<Entry> = (0..1000).map(|i| entry(&format!("k{i}"))).collect();
        let mut index = KeyIndex::default();
        assert_eq!(index.position(&entries, "k0"), Some(0));
        assert_eq!(index.position(&entries, "k999"), Some(999));
        assert_eq!(index.position(&entries, "new"), None);
        entries.push(entry("new"));
        index.appended("new", 1000);
        assert_eq!(index.position(&entries, "new"), Some(1000));
        index.reset();
        entries.truncate(1);
        assert_eq!(index.position(&entries, "k999"), None);
        assert_eq!(index.position(&entries, "k0"), Some(0));
    }

    #[test]
    fn a_hash_collision_is_settled_by_the_key() {
        let entries = vec![entry("a"), entry("b")];
        let mut positions = Positions::of(&entries);
        // As if "b" hashed like "a": its slot names "a".
        let hash_of_b = positions.hasher.hash_one("b");
        positions.first.insert(hash_of_b, 0);
        assert_eq!(positions.find(&entries, "b"), Some(1));
        assert_eq!(positions.find(&entries, "a"), Some(0));
    }
}
