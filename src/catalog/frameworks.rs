//! Application frameworks whose lifecycle and callbacks the rules know: FastAPI and
//! Starlette (the deprecated startup/shutdown API, LW203; draining background tasks, LW304;
//! `run_in_threadpool`, LW104), LiteLLM's sync logging hooks (LW202), Home Assistant's
//! loop-bound core methods and the helpers that run a plain callback in its executor (LW104),
//! the hooks Home Assistant and unittest never run concurrently with themselves (LW601), and
//! discord.py's views, which belong to the running loop.

use super::asyncio_apis::EVENT_LOOP;
use super::entries::{Api, Class, Library};

const HOME_ASSISTANT: &str = "homeassistant.core.HomeAssistant";
const EVENT_BUS: &str = "homeassistant.core.EventBus";
/// The recorder of a Home Assistant instance (`get_instance(hass)`): its own executor.
const RECORDER: &str = "homeassistant.components.recorder.core.Recorder";
const STATE_MACHINE: &str = "homeassistant.core.StateMachine";
const UPDATE_COORDINATOR: &str = "homeassistant.helpers.update_coordinator.DataUpdateCoordinator";

/// An entity class of Home Assistant (the base, or a platform's): integrations derive their
/// entities from one, and its `hass` and the `@callback` methods that write the entity's
/// state at once, which Home Assistant refuses from any thread but the loop's (LW104).
const fn ha_entity(path: &'static str) -> Class {
    Class::type_only(path)
        .attributes(&[("hass", HOME_ASSISTANT)])
        .methods(ENTITY_METHODS_ON_THE_LOOP)
}

const ENTITY_METHODS_ON_THE_LOOP: &[Api] = &[
    Api::new("async_write_ha_state").loop_affine(),
    Api::new("async_schedule_update_ha_state").loop_affine(),
];

/// The sync methods of an entity that Home Assistant calls in its executor, on a worker
/// thread, when the entity defines the method and not its coroutine twin (`async_turn_on`
/// for `turn_on`): the platform's base class's `async_turn_on` runs `self.turn_on` with
/// `hass.async_add_executor_job`, and every entity's `async_device_update` does the same
/// with `update` (LW104). By platform: a method of that name on another platform's entity
/// (a sensor's own `start`) is no service Home Assistant calls.
pub const HA_ENTITY_EXECUTOR_METHODS: &[(&[&str], &[&str])] = &[
    (
        &[
            "homeassistant.components.switch.SwitchEntity",
            "homeassistant.components.light.LightEntity",
            "homeassistant.components.fan.FanEntity",
            "homeassistant.components.siren.SirenEntity",
            "homeassistant.components.remote.RemoteEntity",
            "homeassistant.components.humidifier.HumidifierEntity",
            "homeassistant.components.climate.ClimateEntity",
            "homeassistant.components.water_heater.WaterHeaterEntity",
            "homeassistant.components.media_player.MediaPlayerEntity",
        ],
        &["turn_on", "turn_off", "toggle"],
    ),
    (
        &["homeassistant.components.button.ButtonEntity"],
        &["press"],
    ),
    (
        &["homeassistant.components.select.SelectEntity"],
        &["select_option"],
    ),
    (
        &[
            "homeassistant.components.number.NumberEntity",
            "homeassistant.components.number.RestoreNumber",
        ],
        &["set_value", "set_native_value"],
    ),
    (
        &[
            "homeassistant.components.text.TextEntity",
            "homeassistant.components.date.DateEntity",
            "homeassistant.components.time.TimeEntity",
            "homeassistant.components.datetime.DateTimeEntity",
        ],
        &["set_value"],
    ),
    (
        &["homeassistant.components.cover.CoverEntity"],
        &[
            "open_cover",
            "close_cover",
            "stop_cover",
            "set_cover_position",
        ],
    ),
    (
        &["homeassistant.components.valve.ValveEntity"],
        &[
            "open_valve",
            "close_valve",
            "stop_valve",
            "set_valve_position",
        ],
    ),
    (
        &["homeassistant.components.lock.LockEntity"],
        &["lock", "unlock", "open"],
    ),
    (
        &["homeassistant.components.climate.ClimateEntity"],
        &[
            "set_temperature",
            "set_hvac_mode",
            "set_fan_mode",
            "set_preset_mode",
            "set_swing_mode",
            "set_humidity",
        ],
    ),
    (
        &["homeassistant.components.water_heater.WaterHeaterEntity"],
        &["set_temperature", "set_operation_mode"],
    ),
    (
        &["homeassistant.components.fan.FanEntity"],
        &[
            "set_percentage",
            "set_direction",
            "oscillate",
            "set_preset_mode",
        ],
    ),
    (
        &["homeassistant.components.humidifier.HumidifierEntity"],
        &["set_humidity", "set_mode"],
    ),
    (
        &["homeassistant.components.media_player.MediaPlayerEntity"],
        &[
            "media_play",
            "media_pause",
            "media_stop",
            "media_next_track",
            "media_previous_track",
            "play_media",
            "set_volume_level",
            "mute_volume",
            "select_source",
        ],
    ),
    (
        &["homeassistant.components.alarm_control_panel.AlarmControlPanelEntity"],
        &[
            "alarm_disarm",
            "alarm_arm_home",
            "alarm_arm_away",
            "alarm_arm_night",
            "alarm_trigger",
        ],
    ),
    (
        &["homeassistant.components.vacuum.StateVacuumEntity"],
        &[
            "start",
            "stop",
            "pause",
            "return_to_base",
            "send_command",
            "locate",
        ],
    ),
    (
        &["homeassistant.components.remote.RemoteEntity"],
        &["send_command"],
    ),
    (
        &["homeassistant.components.update.UpdateEntity"],
        &["install"],
    ),
    (&["homeassistant.components.scene.Scene"], &["activate"]),
];

/// Home Assistant's helpers that take a job, with where the callable goes (path, keyword,
/// position): a coroutine function, or a function decorated `@callback`, runs on the event
/// loop; any other function runs in Home Assistant's executor, on a worker thread (LW104).
pub const PLAIN_CALLBACKS_IN_EXECUTOR: &[(&str, &str, usize)] = &[
    (
        "homeassistant.helpers.event.async_track_time_interval",
        "action",
        1,
    ),
    (
        "homeassistant.helpers.event.async_track_point_in_time",
        "action",
        1,
    ),
    (
        "homeassistant.helpers.event.async_track_point_in_utc_time",
        "action",
        1,
    ),
    (
        "homeassistant.helpers.event.async_track_time_change",
        "action",
        1,
    ),
    (
        "homeassistant.helpers.event.async_track_utc_time_change",
        "action",
        1,
    ),
    ("homeassistant.helpers.event.async_call_later", "action", 2),
    (
        "homeassistant.helpers.event.async_track_state_change_event",
        "action",
        2,
    ),
    (
        "homeassistant.helpers.dispatcher.async_dispatcher_connect",
        "target",
        2,
    ),
    // Callable from any thread: a coroutine function or a `@callback` goes to the loop, a
    // plain function to the executor.
    ("homeassistant.core.HomeAssistant.add_job", "target", 0),
    ("homeassistant.core.EventBus.async_listen", "listener", 1),
    (
        "homeassistant.core.EventBus.async_listen_once",
        "listener",
        1,
    ),
];

/// The decorators that mark a sync function as one to run on the event loop itself, for the
/// helpers of [`PLAIN_CALLBACKS_IN_EXECUTOR`].
pub const LOOP_CALLBACK_DECORATORS: &[&str] = &["homeassistant.core.callback"];

/// Response builders that serialise the value they are given at once (LW302): a coroutine
/// passed as the body, `JSONResponse(content=fetch())`, is never awaited and fails to
/// serialise. Streaming responses are left out: they take async iterators on purpose.
pub const RESPONSE_BUILDERS: &[&str] = &[
    "fastapi.responses.JSONResponse",
    "fastapi.responses.HTMLResponse",
    "fastapi.responses.PlainTextResponse",
    "fastapi.responses.ORJSONResponse",
    "fastapi.responses.UJSONResponse",
    "starlette.responses.JSONResponse",
    "starlette.responses.HTMLResponse",
    "starlette.responses.PlainTextResponse",
    "starlette.responses.Response",
    "aiohttp.web.json_response",
    "aiohttp.web.Response",
    "sanic.response.json",
    "sanic.response.text",
    "sanic.json",
    "sanic.text",
    "quart.jsonify",
    "flask.jsonify",
];

/// What `asgiref.sync.async_to_sync(f)` returns: calling it runs `f` to completion on a loop
/// of its own, and raises RuntimeError on a thread whose loop is running.
const ASYNC_TO_SYNC: &str = "asgiref.sync.AsyncToSync";
/// What `sync_to_async(f)` (and Channels' `database_sync_to_async(f)`) returns: calling it
/// makes a coroutine, which runs `f` in a worker thread once awaited.
const SYNC_TO_ASYNC: &str = "asgiref.sync.SyncToAsync";

/// A view or modal of discord.py (or of its forks nextcord and disnake): its initialiser
/// makes a future on the running loop, so one built on a worker thread raises (or, caught,
/// never dispatches its callbacks), and the `__init__` of a subclass stays on the loop's
/// thread (LW103 moves no such constructor; LW104).
const fn discord_view(path: &'static str) -> Class {
    Class::new(path)
        .constructor_uses_loop()
        .methods(DISCORD_VIEW_METHODS)
}

const DISCORD_VIEW_METHODS: &[Api] = &[Api::new("__init__").loop_affine()];

/// A client or bot of discord.py (or of a fork): `loop` is the event loop it runs on, which
/// its coroutines cannot run again (`self.loop.run_until_complete(...)` in a subclass's
/// `async def` raises).
const fn discord_client(path: &'static str) -> Class {
    Class::new(path).attributes(&[("loop", EVENT_LOOP)])
}

/// A converter of discord.py's command framework (Red re-exports them under its own
/// module): `convert(ctx, argument)` is a coroutine (LW302).
const fn discord_converter(path: &'static str, aliases: &'static [&'static str]) -> Class {
    Class::new(path)
        .aliases(aliases)
        .methods(DISCORD_CONVERTER_METHODS)
}

const DISCORD_CONVERTER_METHODS: &[Api] = &[Api::new("convert").coroutine()];

/// The modules of Textual's app, screen and widget classes: every one is a node of the
/// app's DOM, which only the app's thread may touch (from another, `call_from_thread`). A
/// project class deriving from one runs its methods on the loop, where they may change the
/// screen: LW103 moves none of them, nor a helper that calls one, to a worker thread.
const UI_ON_THE_LOOP_MODULES: &[&str] = &[
    "textual.app",
    "textual.screen",
    "textual.widget",
    "textual.widgets",
    "textual.containers",
    "textual.scroll_view",
];

/// Whether `path` names a class of [`UI_ON_THE_LOOP_MODULES`] (`textual.app.App`).
pub fn is_ui_class_on_the_loop(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(module, _)| UI_ON_THE_LOOP_MODULES.contains(&module))
}

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("discord").classes(&[
        discord_view("discord.ui.View"),
        discord_view("discord.ui.LayoutView"),
        discord_view("discord.ui.Modal"),
        discord_client("discord.Client"),
        discord_client("discord.AutoShardedClient"),
        discord_client("discord.ext.commands.Bot"),
        discord_client("discord.ext.commands.AutoShardedBot"),
        discord_converter("discord.ext.commands.Converter", &[]),
        discord_converter("discord.ext.commands.MemberConverter", &[]),
        discord_converter("discord.ext.commands.UserConverter", &[]),
        discord_converter("discord.ext.commands.RoleConverter", &[]),
        discord_converter("discord.ext.commands.TextChannelConverter", &[]),
        discord_converter("discord.ext.commands.VoiceChannelConverter", &[]),
        discord_converter("discord.ext.commands.GuildChannelConverter", &[]),
        discord_converter("discord.ext.commands.CategoryChannelConverter", &[]),
        discord_converter("discord.ext.commands.ThreadConverter", &[]),
        discord_converter("discord.ext.commands.MessageConverter", &[]),
        discord_converter("discord.ext.commands.GuildConverter", &[]),
        discord_converter("discord.ext.commands.EmojiConverter", &[]),
        discord_converter("discord.ext.commands.PartialEmojiConverter", &[]),
        discord_converter(
            "discord.ext.commands.ColourConverter",
            &["discord.ext.commands.ColorConverter"],
        ),
        discord_converter("discord.ext.commands.InviteConverter", &[]),
    ]),
    // Red's command framework re-exports discord.py's converters under its own module.
    Library::new("redbot").classes(&[
        discord_converter("redbot.core.commands.Converter", &[]),
        discord_converter("redbot.core.commands.MemberConverter", &[]),
        discord_converter("redbot.core.commands.UserConverter", &[]),
        discord_converter("redbot.core.commands.RoleConverter", &[]),
        discord_converter("redbot.core.commands.TextChannelConverter", &[]),
        discord_converter(
            "redbot.core.commands.ColourConverter",
            &["redbot.core.commands.ColorConverter"],
        ),
    ]),
    Library::new("nextcord").classes(&[
        discord_view("nextcord.ui.View"),
        discord_view("nextcord.ui.Modal"),
        discord_client("nextcord.Client"),
        discord_client("nextcord.ext.commands.Bot"),
    ]),
    Library::new("disnake").classes(&[
        discord_view("disnake.ui.View"),
        discord_view("disnake.ui.Modal"),
        discord_client("disnake.Client"),
        discord_client("disnake.ext.commands.Bot"),
    ]),
    // Home Assistant's core: its `async_` methods that are no coroutines must run on the event
    // loop's thread (Home Assistant raises when it sees one called from another thread).
    Library::new("homeassistant")
        .functions(&[
            Api::new("homeassistant.helpers.dispatcher.async_dispatcher_send").loop_affine(),
            Api::new("homeassistant.components.recorder.get_instance").returns(RECORDER),
            Api::new("homeassistant.components.recorder.util.get_instance").returns(RECORDER),
        ])
        .classes(&[
            Class::type_only(HOME_ASSISTANT)
                .attributes(&[
                    ("loop", EVENT_LOOP),
                    ("bus", EVENT_BUS),
                    ("states", STATE_MACHINE),
                ])
                .methods(&[
                    Api::new("async_create_task").loop_affine(),
                    Api::new("async_create_background_task").loop_affine(),
                    Api::new("async_add_job").loop_affine(),
                    Api::new("async_add_hass_job").loop_affine(),
                    Api::new("async_run_job").loop_affine(),
                    Api::new("async_run_hass_job").loop_affine(),
                    // Runs `target` in the executor's threads and hands back an awaitable.
                    Api::new("async_add_executor_job")
                        .loop_affine()
                        .hands_off("target", 0),
                    // The same, for a module imported on first use.
                    Api::new("async_add_import_executor_job")
                        .loop_affine()
                        .hands_off("target", 0),
                ]),
            // The recorder runs its database work in an executor of its own.
            Class::type_only(RECORDER).methods(&[Api::new("async_add_executor_job")
                .loop_affine()
                .hands_off("target", 0)]),
            Class::type_only(EVENT_BUS).methods(&[
                Api::new("async_fire").loop_affine(),
                Api::new("async_listen").loop_affine(),
                Api::new("async_listen_once").loop_affine(),
            ]),
            Class::type_only(STATE_MACHINE).methods(&[
                Api::new("async_set").loop_affine(),
                Api::new("async_remove").loop_affine(),
            ]),
            // The classes integrations derive from: their `hass`, and the `@callback` methods
            // that tell listeners a new state, which only the loop's thread may call.
            Class::type_only(UPDATE_COORDINATOR)
                .attributes(&[("hass", HOME_ASSISTANT)])
                .methods(&[
                    Api::new("async_set_updated_data").loop_affine(),
                    Api::new("async_update_listeners").loop_affine(),
                    Api::new("async_set_update_error").loop_affine(),
                ]),
            ha_entity("homeassistant.helpers.entity.Entity"),
            ha_entity("homeassistant.helpers.update_coordinator.CoordinatorEntity"),
            ha_entity("homeassistant.helpers.restore_state.RestoreEntity"),
            ha_entity("homeassistant.components.alarm_control_panel.AlarmControlPanelEntity"),
            ha_entity("homeassistant.components.binary_sensor.BinarySensorEntity"),
            ha_entity("homeassistant.components.button.ButtonEntity"),
            ha_entity("homeassistant.components.calendar.CalendarEntity"),
            ha_entity("homeassistant.components.camera.Camera"),
            ha_entity("homeassistant.components.climate.ClimateEntity"),
            ha_entity("homeassistant.components.cover.CoverEntity"),
            ha_entity("homeassistant.components.date.DateEntity"),
            ha_entity("homeassistant.components.datetime.DateTimeEntity"),
            ha_entity("homeassistant.components.device_tracker.ScannerEntity"),
            ha_entity("homeassistant.components.device_tracker.TrackerEntity"),
            ha_entity("homeassistant.components.event.EventEntity"),
            ha_entity("homeassistant.components.fan.FanEntity"),
            ha_entity("homeassistant.components.humidifier.HumidifierEntity"),
            ha_entity("homeassistant.components.image.ImageEntity"),
            ha_entity("homeassistant.components.lawn_mower.LawnMowerEntity"),
            ha_entity("homeassistant.components.light.LightEntity"),
            ha_entity("homeassistant.components.lock.LockEntity"),
            ha_entity("homeassistant.components.media_player.MediaPlayerEntity"),
            ha_entity("homeassistant.components.notify.NotifyEntity"),
            ha_entity("homeassistant.components.number.NumberEntity"),
            ha_entity("homeassistant.components.number.RestoreNumber"),
            ha_entity("homeassistant.components.remote.RemoteEntity"),
            ha_entity("homeassistant.components.scene.Scene"),
            ha_entity("homeassistant.components.select.SelectEntity"),
            ha_entity("homeassistant.components.sensor.SensorEntity"),
            ha_entity("homeassistant.components.sensor.RestoreSensor"),
            ha_entity("homeassistant.components.siren.SirenEntity"),
            ha_entity("homeassistant.components.switch.SwitchEntity"),
            ha_entity("homeassistant.components.text.TextEntity"),
            ha_entity("homeassistant.components.time.TimeEntity"),
            ha_entity("homeassistant.components.todo.TodoListEntity"),
            ha_entity("homeassistant.components.update.UpdateEntity"),
            ha_entity("homeassistant.components.vacuum.StateVacuumEntity"),
            ha_entity("homeassistant.components.valve.ValveEntity"),
            ha_entity("homeassistant.components.water_heater.WaterHeaterEntity"),
            ha_entity("homeassistant.components.weather.WeatherEntity"),
        ]),
    // Django's bridges between sync and async code (and Channels', built on them).
    Library::new("asgiref")
        .functions(&[
            Api::new("asgiref.sync.async_to_sync").returns(ASYNC_TO_SYNC),
            Api::new("asgiref.sync.sync_to_async")
                .hands_off("func", 0)
                .returns(SYNC_TO_ASYNC),
        ])
        .classes(&[
            Class::new(ASYNC_TO_SYNC).methods(&[Api::new("__call__").runs_loop()]),
            Class::new(SYNC_TO_ASYNC).methods(&[Api::new("__call__").coroutine()]),
        ]),
    Library::new("channels").functions(&[Api::new("channels.db.database_sync_to_async")
        .hands_off("func", 0)
        .returns(SYNC_TO_ASYNC)]),
    Library::new("asyncer").functions(&[Api::new("asyncer.asyncify").hands_off("function", 0)]),
    Library::new("fastapi")
        .functions(&[Api::new("fastapi.concurrency.run_in_threadpool").hands_off("func", 0)])
        .classes(&[
            Class::new("fastapi.FastAPI").aliases(&["fastapi.applications.FastAPI"]),
            Class::new("fastapi.APIRouter").aliases(&["fastapi.routing.APIRouter"]),
        ]),
    Library::new("starlette")
        .functions(&[Api::new("starlette.concurrency.run_in_threadpool").hands_off("func", 0)])
        .classes(&[
            Class::new("starlette.applications.Starlette"),
            Class::new("starlette.routing.Router"),
        ]),
];

/// ASGI application and router classes whose startup/shutdown event API is deprecated in
/// favour of `lifespan` (LW203), as canonical class paths; the server enters the `lifespan`
/// handed to one once, at start-up, before it accepts a connection (LW101's exemption).
pub const LIFESPAN_APP_CLASSES: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.APIRouter",
    "starlette.applications.Starlette",
    "starlette.routing.Router",
];

/// The deprecated constructor keywords of those classes (LW203).
pub const DEPRECATED_LIFESPAN_KEYWORDS: &[&str] = &["on_startup", "on_shutdown"];

/// The deprecated methods of those classes that register a startup/shutdown handler; the
/// event name is their first argument, `event_type` (LW203).
pub const DEPRECATED_EVENT_METHODS: &[&str] = &["on_event", "add_event_handler"];

/// The lifespan events those methods accept (LW203).
pub const LIFESPAN_EVENTS: &[&str] = &["startup", "shutdown"];

/// ASGI application classes whose module must drain its background tasks (LW304).
pub const ASGI_APP_CLASSES: &[&str] = &[
    "fastapi.FastAPI",
    "fastapi.applications.FastAPI",
    "starlette.applications.Starlette",
    "starlette.Starlette",
    "quart.Quart",
];

/// Application and blueprint classes of Flask, which serves over WSGI: it runs an `async def`
/// registered as a view, an error handler or a request hook through asgiref's
/// `async_to_sync`, each call on a new event loop of its own that nothing else runs on. A
/// blocking call there stalls that request alone (LW101, LW102, LW103, LW105 withdraw).
/// Quart, which runs its views on one shared loop, is not among them.
pub const OWN_LOOP_APP_CLASSES: &[&str] = &[
    "flask.Flask",
    "flask.app.Flask",
    "flask.Blueprint",
    "flask.blueprints.Blueprint",
    // APIFlask's application and blueprint derive from Flask's and register views the same way.
    "apiflask.APIFlask",
    "apiflask.APIBlueprint",
];

/// Adapters that serve a WSGI application from an ASGI server through asgiref's
/// `sync_to_async`: in the thread that runs it, `async_to_sync` hands each coroutine to the
/// server's own loop, so a project that uses one has no views on loops of their own.
pub const OWN_LOOP_UNDOING_WRAPPERS: &[&str] = &["asgiref.wsgi.WsgiToAsgi"];

/// The methods of those classes that register the function they decorate (or, for
/// `add_url_rule`, are handed as `view_func`) to run once a request comes.
pub const OWN_LOOP_REGISTRARS: &[&str] = &[
    "route",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "add_url_rule",
    "errorhandler",
    "app_errorhandler",
    "before_request",
    "before_app_request",
    "after_request",
    "after_app_request",
    "teardown_request",
    "teardown_app_request",
];

/// Flask's class-based views: an `async def` named after an HTTP method of a subclass (or its
/// `dispatch_request`) runs on a loop of its own, as a view function does.
pub const OWN_LOOP_VIEW_BASES: &[&str] = &["flask.views.View", "flask.views.MethodView"];

/// The methods of a class-based view that Flask calls for a request.
pub const OWN_LOOP_VIEW_METHODS: &[&str] = &[
    "dispatch_request",
    "get",
    "post",
    "put",
    "patch",
    "delete",
    "head",
    "options",
];

/// The sync hooks LiteLLM calls from inside its running loop, and the base class they
/// belong to (LW202 (c)).
pub const LITELLM_SYNC_HOOKS: &[&str] = &[
    "log_success_event",
    "log_failure_event",
    "log_pre_api_call",
    "log_post_api_call",
];
pub const LITELLM_CUSTOM_LOGGER: &[&str] = &[
    "litellm.integrations.custom_logger.CustomLogger",
    "litellm.CustomLogger",
];

/// Python's special methods that run once per use of an object, not concurrently with
/// themselves (LW601 shape 1 is not reported in them, nor counts them among a method's
/// callers): entering and leaving a context, stepping an iterator, awaiting it, building and
/// finalising it. Not `__call__`: an ASGI app's runs once per request, concurrently; nor a
/// project's own double-underscore names (grpclib's `Channel.__connect__`), which are
/// plain methods.
pub const SERIALIZED_DUNDERS: &[&str] = &[
    "__aenter__",
    "__aexit__",
    "__aiter__",
    "__anext__",
    "__await__",
    "__enter__",
    "__exit__",
    "__init__",
    "__new__",
    "__post_init__",
    "__del__",
];

/// Methods a framework never runs concurrently with themselves (LW601 shape 1 is not reported
/// in them): Home Assistant's config-flow steps (`async_step_*`), entity and coordinator
/// update hooks, and unittest's async set-up. A trailing `*` matches a prefix; Python's own
/// [`SERIALIZED_DUNDERS`] are always treated so.
pub const SERIALIZED_HOOKS: &[&str] = &[
    "async_step_*",
    "async_update",
    "async_added_to_hass",
    "async_will_remove_from_hass",
    "async_internal_added_to_hass",
    "_async_update_data",
    "_async_setup",
    "asyncSetUp",
    "asyncTearDown",
    "async_setup",
    "async_setup_entry",
    "async_unload_entry",
    "async_migrate_entry",
];

/// Base classes (by their last name segment's suffix) whose instances are driven one call at a
/// time: Home Assistant's `ConfigFlow`, `OptionsFlow`, `ConfigSubentryFlow`, `FlowHandler`
/// (LW601 shape 1 is not reported in their methods).
pub const SERIALIZED_BASE_SUFFIXES: &[&str] = &["Flow", "FlowHandler"];
