//! Compact structures over the project's functions, indexed by a function's slot (its
//! module's offset plus its index) rather than hashed: the fact passes touch every call
//! edge, so a lookup must cost an index.

use rustc_hash::FxHashMap;

use super::index::{FunctionId, Project};

/// A neighbour in an [`Adjacency`], as it is stored: three 4-byte numbers where the tuple
/// of machine words took 24 bytes. The two graphs of the link hold one per call edge
/// (204,000 each on the benchmark corpus, 4.9 MB each as tuples), live at the peak.
pub trait Packable: Copy {
    fn pack(self) -> [u32; 3];
    fn unpack(packed: [u32; 3]) -> Self;
}

/// A number of the link (a module, a function of a module, a call site of a function)
/// stored in four bytes: none comes near 2^32 (a file is at most 4 GiB).
fn narrow(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// `(call site, callee)`: a function's calls.
impl Packable for (usize, FunctionId) {
    fn pack(self) -> [u32; 3] {
        let (site, (module, index)) = self;
        [narrow(site), narrow(module), narrow(index)]
    }

    fn unpack([site, module, index]: [u32; 3]) -> Self {
        (site as usize, (module as usize, index as usize))
    }
}

/// `(caller, call site)`: a function's callers.
impl Packable for (FunctionId, usize) {
    fn pack(self) -> [u32; 3] {
        let ((module, index), site) = self;
        [narrow(module), narrow(index), narrow(site)]
    }

    fn unpack([module, index, site]: [u32; 3]) -> Self {
        ((module as usize, index as usize), site as usize)
    }
}

/// How a function is reached from a running loop: it is an entry itself, or a call at a
/// site of a caller reaches it. 12 bytes where `Option<(FunctionId, usize)>` took 32: the
/// link keeps one per function reached (131,000 on the benchmark corpus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach([u32; 3]);

impl Reach {
    /// An entry: an `async def`, or a function a framework calls on the loop.
    pub fn entry() -> Self {
        Self([u32::MAX; 3])
    }

    /// Reached by `caller`'s call at `site`.
    pub fn by(caller: FunctionId, site: usize) -> Self {
        Self((caller, site).pack())
    }

    /// The caller and call site that reach it; `None` for an entry.
    pub fn caller(self) -> Option<(FunctionId, usize)> {
        (self.0 != [u32::MAX; 3]).then(|| <(FunctionId, usize)>::unpack(self.0))
    }
}

impl Adjacency<(usize, FunctionId)> {
    /// The function call site `site` of `id` calls, if it is a project function.
    pub fn target_at(&self, id: FunctionId, site: usize) -> Option<FunctionId> {
        let calls = self.packed_of(id);
        let found = calls
            .binary_search_by_key(&site, |&[at, _, _]| at as usize)
            .ok()?;
        Some(<(usize, FunctionId)>::unpack(calls[found]).1)
    }

    /// The reverse graph, `callee -> [(caller, call site)]` in caller order, by counting sort:
    /// one pass to size each callee's slice, one to fill it.
    pub(super) fn reversed(&self, project: &Project) -> Adjacency<(FunctionId, usize)> {
        let total = project.function_count();
        let mut starts = vec![0u32; total + 1];
        for &[_, module, index] in &self.targets {
            starts[self.offsets[module as usize] + index as usize + 1] += 1;
        }
        for slot in 0..total {
            starts[slot + 1] += starts[slot];
        }
        let mut next: Vec<u32> = starts[..total].to_vec();
        let mut targets = vec![[0; 3]; self.targets.len()];
        for caller in project.function_ids() {
            for (site, callee) in self.of(caller) {
                let slot = self.offsets[callee.0] + callee.1;
                targets[next[slot] as usize] = (caller, site).pack();
                next[slot] += 1;
            }
        }
        Adjacency {
            offsets: std::sync::Arc::clone(&self.offsets),
            starts,
            targets,
            neighbour: std::marker::PhantomData,
        }
    }
}

/// A map from the functions of the project to values: a 4-byte slot per function (its
/// module's offset plus its index) pointing into a vector of the values present. The passes
/// below touch every call edge, and an index is much cheaper than hashing; keeping the
/// per-function part small keeps the whole map in a few pages.
pub struct FunctionMap<T> {
    offsets: std::sync::Arc<[usize]>,
    slots: Slots,
    values: Vec<T>,
}

/// Where a [`FunctionMap`] finds each function's value: 0 for none, n for `values[n - 1]`.
enum Slots {
    /// One slot per function, while the map is filled.
    Dense(Vec<u32>),
    /// The functions present only, once a map that holds few is finished: most facts hold
    /// for a few functions in a hundred (4,800 of the benchmark corpus's 146,000 block), and
    /// a slot for every function kept 0.56 MiB per map for the rest of the run.
    Sparse(FxHashMap<u32, u32>),
}

impl<T> FunctionMap<T> {
    pub(super) fn new(project: &Project) -> Self {
        Self {
            offsets: std::sync::Arc::clone(&project.offsets),
            slots: Slots::Dense(vec![0; project.function_count()]),
            values: Vec::new(),
        }
    }

    fn slot(&self, id: FunctionId) -> usize {
        self.offsets[id.0] + id.1
    }

    /// `values[position - 1]` holds the value of `id` (0: absent).
    fn position(&self, id: FunctionId) -> u32 {
        let slot = self.slot(id);
        match &self.slots {
            Slots::Dense(slots) => slots.get(slot).copied().unwrap_or(0),
            Slots::Sparse(slots) => slots.get(&narrow(slot)).copied().unwrap_or(0),
        }
    }

    pub fn get(&self, id: &FunctionId) -> Option<&T> {
        let position = self.position(*id);
        position.checked_sub(1).map(|at| &self.values[at as usize])
    }

    pub fn contains_key(&self, id: &FunctionId) -> bool {
        self.get(id).is_some()
    }

    pub(super) fn insert(&mut self, id: FunctionId, value: T) {
        if let Some(at) = self.position(id).checked_sub(1) {
            self.values[at as usize] = value;
            return;
        }
        let slot = self.slot(id);
        self.values.push(value);
        let position = narrow(self.values.len());
        match &mut self.slots {
            Slots::Dense(slots) => slots[slot] = position,
            Slots::Sparse(slots) => {
                slots.insert(narrow(slot), position);
            }
        }
    }

    /// The map with no room for more values: a pass fills its map by pushing values, and a
    /// vector grown by doubling kept up to half its room unused for the rest of the run
    /// (0.7 MiB of the benchmark corpus's `reached`, the functions reached from the loop).
    /// A map holding fewer than one function in eight keeps the slots of those alone, in a
    /// hash map (about 20 bytes a value, against 4 bytes a function).
    pub(super) fn finished(mut self) -> Self {
        self.values.shrink_to_fit();
        if let Slots::Dense(slots) = &self.slots
            && self.values.len() < slots.len() / 8
        {
            let present = slots
                .iter()
                .enumerate()
                .filter(|&(_, &position)| position != 0)
                .map(|(slot, &position)| (narrow(slot), position));
            let mut sparse =
                FxHashMap::with_capacity_and_hasher(self.values.len(), Default::default());
            sparse.extend(present);
            self.slots = Slots::Sparse(sparse);
        }
        self
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
    targets: Vec<[u32; 3]>,
    neighbour: std::marker::PhantomData<E>,
}

impl<E: Packable> Adjacency<E> {
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
                starts[filled] = narrow(targets.len());
            }
            targets.push(target.pack());
        }
        while filled < total {
            filled += 1;
            starts[filled] = narrow(targets.len());
        }
        Self {
            offsets,
            starts,
            targets,
            neighbour: std::marker::PhantomData,
        }
    }

    /// The neighbours of `id`, in the order they were given.
    pub fn of(&self, id: FunctionId) -> impl ExactSizeIterator<Item = E> + Clone + '_ {
        self.packed_of(id).iter().map(|&packed| E::unpack(packed))
    }

    fn packed_of(&self, id: FunctionId) -> &[[u32; 3]] {
        let slot = self.offsets[id.0] + id.1;
        let (Some(&start), Some(&end)) = (self.starts.get(slot), self.starts.get(slot + 1)) else {
            return &[];
        };
        &self.targets[start as usize..end as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neighbours_come_back_as_they_were_packed() {
        let call: (usize, FunctionId) = (7, (3, 11));
        assert_eq!(<(usize, FunctionId)>::unpack(call.pack()), call);
        let caller: (FunctionId, usize) = ((3, 11), 7);
        assert_eq!(<(FunctionId, usize)>::unpack(caller.pack()), caller);
    }

    /// A map of 100 functions in two modules (40 and 60), with `ids` given values in order.
    fn filled(ids: &[FunctionId]) -> FunctionMap<usize> {
        let mut map = FunctionMap {
            offsets: vec![0, 40].into(),
            slots: Slots::Dense(vec![0; 100]),
            values: Vec::new(),
        };
        for (value, id) in ids.iter().enumerate() {
            map.insert(*id, value);
        }
        map
    }

    #[test]
    fn a_finished_map_answers_as_it_did_while_filled() {
        // Two of a hundred functions: the finished map keeps their slots alone.
        let few = filled(&[(0, 3), (1, 7)]).finished();
        assert!(matches!(few.slots, Slots::Sparse(_)));
        assert_eq!((few.get(&(0, 3)), few.get(&(1, 7))), (Some(&0), Some(&1)));
        assert_eq!((few.get(&(0, 7)), few.get(&(1, 3))), (None, None));
        assert_eq!(few.len(), 2);
        // Half of them: it keeps a slot per function.
        let half: Vec<FunctionId> = (0..50).map(|index| (1, index)).collect();
        let many = filled(&half).finished();
        assert!(matches!(many.slots, Slots::Dense(_)));
        assert_eq!(many.get(&(1, 49)), Some(&49));
        assert!(!many.contains_key(&(0, 0)));
        // A value given again replaces the first, either way.
        let mut again = filled(&[(0, 3)]).finished();
        again.insert((0, 3), 9);
        again.insert((1, 0), 4);
        assert_eq!(
            (again.get(&(0, 3)), again.get(&(1, 0))),
            (Some(&9), Some(&4))
        );
        assert_eq!(again.len(), 2);
    }

    #[test]
    fn a_reach_tells_an_entry_from_the_call_that_reaches_a_function() {
        assert_eq!(Reach::entry().caller(), None);
        assert_eq!(Reach::by((0, 0), 0).caller(), Some(((0, 0), 0)));
        assert_eq!(Reach::by((2, 5), 9).caller(), Some(((2, 5), 9)));
    }
}
