//! The synchronous clients of hosted model APIs and vector databases: every request is a
//! network round trip of seconds (a completion) or more, and each SDK ships an async client
//! beside the sync one. Their resources hang off the client as attributes
//! (`client.chat.completions.create(...)`), typed here so the chain reaches the method. The
//! async clients (`openai.AsyncOpenAI`, `anthropic.AsyncAnthropic`) are typed the same way,
//! their requests coroutines.

use super::entries::{Api, Class, Library, io};

const ASYNC_OPENAI: Option<&str> = Some("openai.AsyncOpenAI");
const ASYNC_ANTHROPIC: Option<&str> = Some("anthropic.AsyncAnthropic");
const ASYNC_QDRANT: Option<&str> = Some("qdrant_client.AsyncQdrantClient");

const OPENAI_CHAT: &str = "openai.resources.chat.Chat";
const OPENAI_CHAT_COMPLETIONS: &str = "openai.resources.chat.Completions";
const OPENAI_COMPLETIONS: &str = "openai.resources.Completions";
const OPENAI_EMBEDDINGS: &str = "openai.resources.Embeddings";
const OPENAI_RESPONSES: &str = "openai.resources.responses.Responses";
const OPENAI_IMAGES: &str = "openai.resources.Images";
const OPENAI_MODERATIONS: &str = "openai.resources.Moderations";
const OPENAI_AUDIO: &str = "openai.resources.audio.Audio";
const OPENAI_AUDIO_RESOURCE: &str = "openai.resources.audio.Resource";
const ANTHROPIC_MESSAGES: &str = "anthropic.resources.Messages";

// The async clients' resources: the same requests, as coroutines.
const ASYNC_OPENAI_CHAT: &str = "openai.resources.chat.AsyncChat";
const ASYNC_OPENAI_CHAT_COMPLETIONS: &str = "openai.resources.chat.AsyncCompletions";
const ASYNC_OPENAI_COMPLETIONS: &str = "openai.resources.AsyncCompletions";
const ASYNC_OPENAI_EMBEDDINGS: &str = "openai.resources.AsyncEmbeddings";
const ASYNC_OPENAI_RESPONSES: &str = "openai.resources.responses.AsyncResponses";
const ASYNC_OPENAI_IMAGES: &str = "openai.resources.AsyncImages";
const ASYNC_OPENAI_MODERATIONS: &str = "openai.resources.AsyncModerations";
const ASYNC_OPENAI_AUDIO: &str = "openai.resources.audio.AsyncAudio";
const ASYNC_OPENAI_AUDIO_RESOURCE: &str = "openai.resources.audio.AsyncResource";
const ASYNC_ANTHROPIC_MESSAGES: &str = "anthropic.resources.AsyncMessages";

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("openai")
        // The module-level API of openai before 1.0 (`openai.ChatCompletion.create(...)`):
        // each class method a request on the calling thread, its `a`-prefixed twin the
        // coroutine that sends the same request.
        .functions(&[
            Api::new("openai.ChatCompletion.create")
                .blocks(io(Some("openai.ChatCompletion.acreate"))),
            Api::new("openai.ChatCompletion.acreate").coroutine(),
            Api::new("openai.Completion.create").blocks(io(Some("openai.Completion.acreate"))),
            Api::new("openai.Completion.acreate").coroutine(),
            Api::new("openai.Embedding.create").blocks(io(Some("openai.Embedding.acreate"))),
            Api::new("openai.Embedding.acreate").coroutine(),
            Api::new("openai.Edit.create").blocks(io(Some("openai.Edit.acreate"))),
            Api::new("openai.Edit.acreate").coroutine(),
            Api::new("openai.Moderation.create").blocks(io(Some("openai.Moderation.acreate"))),
            Api::new("openai.Moderation.acreate").coroutine(),
            Api::new("openai.Image.create").blocks(io(Some("openai.Image.acreate"))),
            Api::new("openai.Image.acreate").coroutine(),
            Api::new("openai.Audio.transcribe").blocks(io(Some("openai.Audio.atranscribe"))),
            Api::new("openai.Audio.atranscribe").coroutine(),
            Api::new("openai.Audio.translate").blocks(io(Some("openai.Audio.atranslate"))),
            Api::new("openai.Audio.atranslate").coroutine(),
        ])
        .classes(&[
            // The client itself connects nothing when built: its resources make the requests.
            Class::new("openai.OpenAI")
                .aliases(&[
                    "openai.Client",
                    "openai._client.OpenAI",
                    "openai.AzureOpenAI",
                ])
                .attributes(&[
                    ("chat", OPENAI_CHAT),
                    ("completions", OPENAI_COMPLETIONS),
                    ("embeddings", OPENAI_EMBEDDINGS),
                    ("responses", OPENAI_RESPONSES),
                    ("images", OPENAI_IMAGES),
                    ("moderations", OPENAI_MODERATIONS),
                    ("audio", OPENAI_AUDIO),
                ]),
            Class::type_only(OPENAI_CHAT).attributes(&[("completions", OPENAI_CHAT_COMPLETIONS)]),
            Class::type_only(OPENAI_CHAT_COMPLETIONS).methods(&[
                Api::new("create").blocks(io(ASYNC_OPENAI)),
                Api::new("parse").blocks(io(ASYNC_OPENAI)),
            ]),
            Class::type_only(OPENAI_COMPLETIONS)
                .methods(&[Api::new("create").blocks(io(ASYNC_OPENAI))]),
            Class::type_only(OPENAI_EMBEDDINGS)
                .methods(&[Api::new("create").blocks(io(ASYNC_OPENAI))]),
            Class::type_only(OPENAI_RESPONSES).methods(&[
                Api::new("create").blocks(io(ASYNC_OPENAI)),
                Api::new("parse").blocks(io(ASYNC_OPENAI)),
                Api::new("retrieve").blocks(io(ASYNC_OPENAI)),
            ]),
            Class::type_only(OPENAI_IMAGES).methods(&[
                Api::new("generate").blocks(io(ASYNC_OPENAI)),
                Api::new("edit").blocks(io(ASYNC_OPENAI)),
            ]),
            Class::type_only(OPENAI_MODERATIONS)
                .methods(&[Api::new("create").blocks(io(ASYNC_OPENAI))]),
            Class::type_only(OPENAI_AUDIO).attributes(&[
                ("transcriptions", OPENAI_AUDIO_RESOURCE),
                ("translations", OPENAI_AUDIO_RESOURCE),
                ("speech", OPENAI_AUDIO_RESOURCE),
            ]),
            Class::type_only(OPENAI_AUDIO_RESOURCE)
                .methods(&[Api::new("create").blocks(io(ASYNC_OPENAI))]),
            // The async client: building it connects nothing, and its resources' requests are
            // coroutines, which a missing `await` never sends.
            Class::new("openai.AsyncOpenAI")
                .aliases(&[
                    "openai.AsyncClient",
                    "openai._client.AsyncOpenAI",
                    "openai.AsyncAzureOpenAI",
                ])
                .attributes(&[
                    ("chat", ASYNC_OPENAI_CHAT),
                    ("completions", ASYNC_OPENAI_COMPLETIONS),
                    ("embeddings", ASYNC_OPENAI_EMBEDDINGS),
                    ("responses", ASYNC_OPENAI_RESPONSES),
                    ("images", ASYNC_OPENAI_IMAGES),
                    ("moderations", ASYNC_OPENAI_MODERATIONS),
                    ("audio", ASYNC_OPENAI_AUDIO),
                ])
                .methods(&[Api::new("close").coroutine()]),
            Class::type_only(ASYNC_OPENAI_CHAT)
                .attributes(&[("completions", ASYNC_OPENAI_CHAT_COMPLETIONS)]),
            Class::type_only(ASYNC_OPENAI_CHAT_COMPLETIONS).methods(&[
                Api::new("create").coroutine(),
                Api::new("parse").coroutine(),
            ]),
            Class::type_only(ASYNC_OPENAI_COMPLETIONS).methods(&[Api::new("create").coroutine()]),
            Class::type_only(ASYNC_OPENAI_EMBEDDINGS).methods(&[Api::new("create").coroutine()]),
            Class::type_only(ASYNC_OPENAI_RESPONSES).methods(&[
                Api::new("create").coroutine(),
                Api::new("parse").coroutine(),
                Api::new("retrieve").coroutine(),
            ]),
            Class::type_only(ASYNC_OPENAI_IMAGES).methods(&[
                Api::new("generate").coroutine(),
                Api::new("edit").coroutine(),
            ]),
            Class::type_only(ASYNC_OPENAI_MODERATIONS).methods(&[Api::new("create").coroutine()]),
            Class::type_only(ASYNC_OPENAI_AUDIO).attributes(&[
                ("transcriptions", ASYNC_OPENAI_AUDIO_RESOURCE),
                ("translations", ASYNC_OPENAI_AUDIO_RESOURCE),
                ("speech", ASYNC_OPENAI_AUDIO_RESOURCE),
            ]),
            Class::type_only(ASYNC_OPENAI_AUDIO_RESOURCE)
                .methods(&[Api::new("create").coroutine()]),
        ]),
    Library::new("anthropic").classes(&[
        Class::new("anthropic.Anthropic")
            .aliases(&["anthropic.Client", "anthropic._client.Anthropic"])
            .attributes(&[("messages", ANTHROPIC_MESSAGES)]),
        Class::type_only(ANTHROPIC_MESSAGES).methods(&[
            Api::new("create").blocks(io(ASYNC_ANTHROPIC)),
            Api::new("count_tokens").blocks(io(ASYNC_ANTHROPIC)),
        ]),
        Class::new("anthropic.AsyncAnthropic")
            .aliases(&["anthropic.AsyncClient", "anthropic._client.AsyncAnthropic"])
            .attributes(&[("messages", ASYNC_ANTHROPIC_MESSAGES)])
            .methods(&[Api::new("close").coroutine()]),
        Class::type_only(ASYNC_ANTHROPIC_MESSAGES).methods(&[
            Api::new("create").coroutine(),
            Api::new("count_tokens").coroutine(),
        ]),
    ]),
    // Every method but the local ones is a request to the server (or, for a local
    // `QdrantClient(path=...)`, work on files).
    Library::new("qdrant_client").classes(&[Class::new("qdrant_client.QdrantClient")
        .aliases(&["qdrant_client.qdrant_client.QdrantClient"])
        .other_methods(io(ASYNC_QDRANT))]),
];
