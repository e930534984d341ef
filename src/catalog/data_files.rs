//! Files read and written by data and image libraries: pandas' readers, NumPy's and
//! PyTorch's array and model files, Pillow's `Image.open`, and the installed-package metadata
//! of `importlib.metadata` (it scans `sys.path` and reads each distribution's files), and
//! the time zone databases (`zoneinfo`, `pytz`, `dateutil.tz` read a zone's file the first
//! time it is asked for), and the tag readers of audio files (`mutagen`, `audio_metadata`,
//! `tinytag`, `eyed3` open the file and parse its headers and tags), and Home Assistant's YAML
//! and JSON file helpers (`homeassistant.util.yaml`, `homeassistant.util.json`). Each reads or writes the whole file on the calling thread; on an
//! in-memory buffer (`io.BytesIO(...)` built in the call) nothing touches the disk, as for
//! archives.

use super::entries::{Api, Class, Library, archive, io};

/// What to use instead of a zone looked up on the loop.
const ZONE_ONCE: Option<&str> =
    Some("a zone looked up once at start-up and kept (or looked up in a worker thread)");

/// What Home Assistant's own file helpers are run with on its loop.
const IN_HASS_EXECUTOR: Option<&str> = Some("`hass.async_add_executor_job(...)`");

/// The keywords that make pandas' text readers iterate in chunks.
const CHUNKED: &[&str] = &["chunksize", "iterator"];

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("pandas").functions(&[
        // With `chunksize=` or `iterator=True` a reader returns an iterator that parses as
        // it is iterated: the fixes move it with what consumes it, or not at all.
        Api::new("pandas.read_csv")
            .blocks(archive("filepath_or_buffer", 0))
            .lazy_with(CHUNKED),
        Api::new("pandas.read_table")
            .blocks(archive("filepath_or_buffer", 0))
            .lazy_with(CHUNKED),
        Api::new("pandas.read_json")
            .blocks(archive("path_or_buf", 0))
            .lazy_with(CHUNKED),
        Api::new("pandas.read_excel").blocks(archive("io", 0)),
        Api::new("pandas.read_parquet").blocks(archive("path", 0)),
        Api::new("pandas.read_feather").blocks(archive("path", 0)),
        Api::new("pandas.read_pickle").blocks(archive("filepath_or_buffer", 0)),
        Api::new("pandas.read_hdf").blocks(archive("path_or_buf", 0)),
    ]),
    Library::new("numpy").functions(&[
        Api::new("numpy.load").blocks(archive("file", 0)),
        Api::new("numpy.save").blocks(archive("file", 0)),
        Api::new("numpy.savez").blocks(archive("file", 0)),
        Api::new("numpy.savez_compressed").blocks(archive("file", 0)),
        Api::new("numpy.loadtxt").blocks(archive("fname", 0)),
        Api::new("numpy.savetxt").blocks(archive("fname", 0)),
        Api::new("numpy.genfromtxt").blocks(archive("fname", 0)),
    ]),
    Library::new("torch").functions(&[
        Api::new("torch.load").blocks(archive("f", 0)),
        Api::new("torch.save").blocks(archive("f", 1)),
    ]),
    Library::new("PIL").functions(&[Api::new("PIL.Image.open").blocks(archive("fp", 0))]),
    // A zone's file is read from the system's database (or the `tzdata` package) on the
    // first lookup of its key; later lookups of the key are served from the library's cache.
    Library::new("zoneinfo").classes(&[Class::new("zoneinfo.ZoneInfo")
        .constructor_blocks(io(ZONE_ONCE))
        .methods(&[Api::new("no_cache").blocks(io(ZONE_ONCE))])]),
    Library::new("pytz").functions(&[Api::new("pytz.timezone").blocks(io(ZONE_ONCE))]),
    Library::new("dateutil").functions(&[Api::new("dateutil.tz.gettz").blocks(io(ZONE_ONCE))]),
    Library::new("importlib.metadata").functions(&[
        Api::new("importlib.metadata.version").blocks(io(None)),
        Api::new("importlib.metadata.distribution").blocks(io(None)),
        Api::new("importlib.metadata.distributions").blocks(io(None)),
        Api::new("importlib.metadata.metadata").blocks(io(None)),
        Api::new("importlib.metadata.entry_points").blocks(io(None)),
        Api::new("importlib.metadata.files").blocks(io(None)),
        Api::new("importlib.metadata.requires").blocks(io(None)),
        Api::new("importlib.metadata.packages_distributions").blocks(io(None)),
    ]),
    // Tags and stream information read from an audio file: a path, or a file object the
    // library reads through (an in-memory buffer built in the call reads nothing from disk).
    Library::new("mutagen")
        .functions(&[Api::new("mutagen.File").blocks(archive("filething", 0))])
        .classes(&[
            Class::new("mutagen.mp3.MP3").constructor_blocks(archive("filething", 0)),
            Class::new("mutagen.flac.FLAC").constructor_blocks(archive("filething", 0)),
            Class::new("mutagen.mp4.MP4").constructor_blocks(archive("filething", 0)),
            Class::new("mutagen.oggvorbis.OggVorbis").constructor_blocks(archive("filething", 0)),
            Class::new("mutagen.id3.ID3").constructor_blocks(archive("filething", 0)),
            Class::new("mutagen.easyid3.EasyID3").constructor_blocks(archive("filething", 0)),
            Class::new("mutagen.wave.WAVE").constructor_blocks(archive("filething", 0)),
        ]),
    Library::new("audio_metadata")
        .functions(&[Api::new("audio_metadata.load").blocks(archive("f", 0))]),
    Library::new("tinytag")
        .classes(&[Class::new("tinytag.TinyTag")
            .methods(&[Api::new("get").blocks(archive("filename", 0))])]),
    // Home Assistant's YAML and JSON file helpers read or write the whole file (its own
    // integrations call them through the executor).
    Library::new("homeassistant").functions(&[
        Api::new("homeassistant.util.yaml.load_yaml").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.yaml.load_yaml_dict").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.yaml.loader.load_yaml").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.yaml.save_yaml").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.json.load_json").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.json.load_json_object").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.json.load_json_array").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.json.save_json").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.helpers.json.save_json").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.file.write_utf8_file").blocks(io(IN_HASS_EXECUTOR)),
        Api::new("homeassistant.util.file.write_utf8_file_atomic").blocks(io(IN_HASS_EXECUTOR)),
    ]),
    Library::new("eyed3").functions(&[Api::new("eyed3.load").blocks(archive("path", 0))]),
];
