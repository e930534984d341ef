//! Compact structures over the project's functions, indexed by a function's slot (its
//! module's offset plus its index) rather than hashed: the fact passes touch every call
//! edge, so a lookup must cost an index.

use super::index::{FunctionId, Project};

impl Adjacency<(usize, FunctionId)> {
    /// The function call site `site` of `id` calls, if it is a project function.
    pub fn target_at(&self, id: FunctionId, site: usize) -> Option<FunctionId> {
        let calls = self.of(id);
        let found = calls.binary_search_by_key(&site, |&(at, _)| at).ok()?;
        Some(calls[found].1)
    }

    /// The reverse graph, `callee -> [(caller, call site)]` in caller order, by counting sort:
    /// one pass to size each callee's slice, one to fill it.
    pub(super) fn reversed(&self, project: &Project) -> Adjacency<(FunctionId, usize)> {
        let total = project.function_count();
        let mut starts = vec![0u32; total + 1];
        for &(_, callee) in &self.targets {
            starts[self.offsets[callee.0] + callee.1 + 1] += 1;
        }
        for slot in 0..total {
            starts[slot + 1] += starts[slot];
        }
        let mut next: Vec<u32> = starts[..total].to_vec();
        let mut targets = vec![((0, 0), 0); self.targets.len()];
        for caller in project.function_ids() {
            for &(site, callee) in self.of(caller) {
                let slot = self.offsets[callee.0] + callee.1;
                targets[next[slot] as usize] = (caller, site);
                next[slot] += 1;
            }
        }
        Adjacency {
            offsets: std::sync::Arc::clone(&self.offsets),
            starts,
            targets,
        }
    }
}

/// A map from the functions of the project to values: a 4-byte slot per function (its
/// module's offset plus its index) pointing into a vector of the values present. The passes
/// below touch every call edge, and an index is much cheaper than hashing; keeping the
/// per-function part small keeps the whole map in a few pages.
pub struct FunctionMap<T> {
    offsets: std::sync::Arc<[usize]>,
    /// 0: absent; n: `values[n - 1]`.
    slots: Vec<u32>,
    values: Vec<T>,
}

impl<T> FunctionMap<T> {
    pub(super) fn new(project: &Project) -> Self {
        Self {
            offsets: std::sync::Arc::clone(&project.offsets),
            slots: vec![0; project.function_count()],
            values: Vec::new(),
        }
    }

    fn slot(&self, id: FunctionId) -> usize {
        self.offsets[id.0] + id.1
    }

    pub fn get(&self, id: &FunctionId) -> Option<&T> {
        let position = *self.slots.get(self.slot(*id))?;
        position.checked_sub(1).map(|at| &self.values[at as usize])
    }

    pub fn contains_key(&self, id: &FunctionId) -> bool {
        self.get(id).is_some()
    }

    fn get_mut(&mut self, id: FunctionId) -> Option<&mut T> {
        let position = self.slots[self.slot(id)];
        position
            .checked_sub(1)
            .map(|at| &mut self.values[at as usize])
    }

    pub(super) fn insert(&mut self, id: FunctionId, value: T) {
        if let Some(existing) = self.get_mut(id) {
            *existing = value;
            return;
        }
        let slot = self.slot(id);
        self.values.push(value);
        self.slots[slot] = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// A directed graph over the project's functions in compressed form: the neighbours of a
/// function are one slice of a single vector, so building and dropping the graph costs a
/// few allocations however many functions there are.
pub struct Adjacency<E> {
    offsets: std::sync::Arc<[usize]>,
    /// `starts[slot]..starts[slot + 1]` indexes `targets` for the function in `slot`.
    starts: Vec<u32>,
    targets: Vec<E>,
}

impl<E> Adjacency<E> {
    /// Builds the graph from `(function, neighbour)` pairs already grouped by function in
    /// function order; `count` is how many there are (the vector of neighbours is made that
    /// size at once: grown by doubling, it kept up to half its room unused for the whole
    /// link).
    pub(super) fn from_sorted(
        project: &Project,
        pairs: impl IntoIterator<Item = (FunctionId, E)>,
        count: usize,
    ) -> Self {
        let offsets = std::sync::Arc::clone(&project.offsets);
        let total = project.function_count();
        let mut starts = vec![0u32; total + 1];
        let mut targets = Vec::with_capacity(count);
        let mut filled = 0;
        for (id, target) in pairs {
            let slot = offsets[id.0] + id.1;
            while filled < slot {
                filled += 1;
                starts[filled] = u32::try_from(targets.len()).unwrap_or(u32::MAX);
            }
            targets.push(target);
        }
        while filled < total {
            filled += 1;
            starts[filled] = u32::try_from(targets.len()).unwrap_or(u32::MAX);
        }
        Self {
            offsets,
            starts,
            targets,
        }
    }

    /// The neighbours of `id`, in the order they were given.
    pub fn of(&self, id: FunctionId) -> &[E] {
        let slot = self.offsets[id.0] + id.1;
        let (Some(&start), Some(&end)) = (self.starts.get(slot), self.starts.get(slot + 1)) else {
            return &[];
        };
        &self.targets[start as usize..end as usize]
    }
}
