//! Methods known by their name alone, on a receiver the module cannot type: the API each is
//! taken for, and which receivers qualify. Code that is handed a loop or a Home Assistant
//! instance rarely annotates it (`def __init__(self, loop): self._loop = loop`, an entity's
//! `self.hass` set by a base class of another package), yet these names are distinctive
//! enough that the call is the API: where its function goes, which thread it belongs to,
//! what it returns.

use super::asyncio_apis::LOOP_NAMES;

/// Which untyped receivers a method of [`METHODS_BY_NAME`] is taken for the API on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Receiver {
    /// Any receiver whose chain starts at a local or a parameter (`self.hass`,
    /// `entity.hass`): the method's name alone is distinctive.
    AnyLocal,
    /// A receiver whose own name, leading underscores aside, is one of these (`self._loop`,
    /// `event_loop`): the method's name is common (`create_task`), the receiver's says what
    /// it is.
    NamedOneOf(&'static [&'static str]),
}

/// A method known by its name: `method` on a [`Receiver`] nothing types is the API `api`.
#[derive(Clone, Copy, Debug)]
pub struct MethodByName {
    pub method: &'static str,
    pub api: &'static str,
    pub receiver: Receiver,
}

/// What code names a Home Assistant instance it was handed.
const HASS_NAMES: &[&str] = &["hass"];

/// Grouped by library.
pub const METHODS_BY_NAME: &[MethodByName] = &[
    // asyncio: a loop handed around unannotated.
    MethodByName {
        method: "run_in_executor",
        api: "asyncio.AbstractEventLoop.run_in_executor",
        receiver: Receiver::AnyLocal,
    },
    MethodByName {
        method: "create_task",
        api: "asyncio.AbstractEventLoop.create_task",
        receiver: Receiver::NamedOneOf(LOOP_NAMES),
    },
    // Home Assistant: the `hass` an entity or a config flow holds.
    MethodByName {
        method: "async_add_executor_job",
        api: "homeassistant.core.HomeAssistant.async_add_executor_job",
        receiver: Receiver::AnyLocal,
    },
    // Its task makers, on a receiver named `hass` (a parameter of a nested helper, the
    // value a function was handed): they must run on the loop's thread.
    MethodByName {
        method: "async_create_task",
        api: "homeassistant.core.HomeAssistant.async_create_task",
        receiver: Receiver::NamedOneOf(HASS_NAMES),
    },
    MethodByName {
        method: "async_create_background_task",
        api: "homeassistant.core.HomeAssistant.async_create_background_task",
        receiver: Receiver::NamedOneOf(HASS_NAMES),
    },
    MethodByName {
        method: "async_add_job",
        api: "homeassistant.core.HomeAssistant.async_add_job",
        receiver: Receiver::NamedOneOf(HASS_NAMES),
    },
    MethodByName {
        method: "async_add_import_executor_job",
        api: "homeassistant.core.HomeAssistant.async_add_import_executor_job",
        receiver: Receiver::AnyLocal,
    },
];
