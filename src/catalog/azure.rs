//! Azure's SDK: Blob Storage, Cosmos DB and the identity credentials. Each package ships a
//! synchronous client, whose every request blocks its thread, and the same classes under an
//! `.aio` module, whose requests are coroutines. Building a client sends nothing; the
//! methods that hand out sub-clients (`get_container_client`, `get_blob_client`,
//! `get_database_client`) build them locally, and listings (`list_blobs`, `query_items`)
//! return pagers that send their requests as they are iterated.

use super::entries::{Api, Class, Library, io};

const BLOB_ASYNC: Option<&str> = Some("azure.storage.blob.aio");
const COSMOS_ASYNC: Option<&str> = Some("azure.cosmos.aio");
const IDENTITY_ASYNC: Option<&str> = Some("azure.identity.aio");

const BLOB_SERVICE: &str = "azure.storage.blob.BlobServiceClient";
const CONTAINER: &str = "azure.storage.blob.ContainerClient";
const BLOB: &str = "azure.storage.blob.BlobClient";
const DOWNLOADER: &str = "azure.storage.blob.StorageStreamDownloader";

const AIO_BLOB_SERVICE: &str = "azure.storage.blob.aio.BlobServiceClient";
const AIO_CONTAINER: &str = "azure.storage.blob.aio.ContainerClient";
const AIO_BLOB: &str = "azure.storage.blob.aio.BlobClient";
const AIO_DOWNLOADER: &str = "azure.storage.blob.aio.StorageStreamDownloader";

const COSMOS: &str = "azure.cosmos.CosmosClient";
const COSMOS_DATABASE: &str = "azure.cosmos.DatabaseProxy";
const COSMOS_CONTAINER: &str = "azure.cosmos.ContainerProxy";

const AIO_COSMOS: &str = "azure.cosmos.aio.CosmosClient";
const AIO_COSMOS_DATABASE: &str = "azure.cosmos.aio.DatabaseProxy";
const AIO_COSMOS_CONTAINER: &str = "azure.cosmos.aio.ContainerProxy";

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("azure.storage.blob").classes(&[
        // The sync clients: every method not listed is a request.
        Class::new(BLOB_SERVICE)
            .aliases(&["azure.storage.blob._blob_service_client.BlobServiceClient"])
            .other_methods(io(BLOB_ASYNC))
            .methods(&[
                Api::new("from_connection_string").returns(BLOB_SERVICE),
                // Hands the pooled connections back: nothing is sent or waited for.
                Api::new("close"),
                Api::new("get_container_client").returns(CONTAINER),
                Api::new("get_blob_client").returns(BLOB),
                Api::new("list_containers")
                    .blocks(io(BLOB_ASYNC))
                    .generator(),
            ]),
        Class::new(CONTAINER)
            .aliases(&["azure.storage.blob._container_client.ContainerClient"])
            .other_methods(io(BLOB_ASYNC))
            .methods(&[
                Api::new("from_connection_string").returns(CONTAINER),
                // Hands the pooled connections back: nothing is sent or waited for.
                Api::new("close"),
                Api::new("from_container_url").returns(CONTAINER),
                Api::new("get_blob_client").returns(BLOB),
                Api::new("download_blob")
                    .blocks(io(BLOB_ASYNC))
                    .returns(DOWNLOADER),
                Api::new("list_blobs").blocks(io(BLOB_ASYNC)).generator(),
                Api::new("list_blob_names")
                    .blocks(io(BLOB_ASYNC))
                    .generator(),
                Api::new("walk_blobs").blocks(io(BLOB_ASYNC)).generator(),
            ]),
        Class::new(BLOB)
            .aliases(&["azure.storage.blob._blob_client.BlobClient"])
            .other_methods(io(BLOB_ASYNC))
            .methods(&[
                Api::new("from_connection_string").returns(BLOB),
                // Hands the pooled connections back: nothing is sent or waited for.
                Api::new("close"),
                Api::new("from_blob_url").returns(BLOB),
                Api::new("download_blob")
                    .blocks(io(BLOB_ASYNC))
                    .returns(DOWNLOADER),
            ]),
        // What `download_blob` gives: the first range is fetched, the rest as it is read.
        Class::type_only(DOWNLOADER)
            .aliases(&["azure.storage.blob._download.StorageStreamDownloader"])
            .other_methods(io(BLOB_ASYNC)),
        // The `.aio` clients: the same requests, as coroutines.
        Class::new(AIO_BLOB_SERVICE)
            .aliases(&["azure.storage.blob.aio._blob_service_client_async.BlobServiceClient"])
            .methods(&[
                Api::new("get_account_information").coroutine(),
                Api::new("close").coroutine(),
                Api::new("from_connection_string").returns(AIO_BLOB_SERVICE),
                Api::new("get_container_client").returns(AIO_CONTAINER),
                Api::new("get_blob_client").returns(AIO_BLOB),
                Api::new("create_container")
                    .coroutine()
                    .returns(AIO_CONTAINER),
                Api::new("delete_container").coroutine(),
                Api::new("undelete_container").coroutine(),
                Api::new("get_service_properties").coroutine(),
                Api::new("set_service_properties").coroutine(),
                Api::new("get_service_stats").coroutine(),
                Api::new("get_user_delegation_key").coroutine(),
            ]),
        Class::new(AIO_CONTAINER)
            .aliases(&["azure.storage.blob.aio._container_client_async.ContainerClient"])
            .methods(&[
                Api::new("get_account_information").coroutine(),
                Api::new("close").coroutine(),
                Api::new("from_connection_string").returns(AIO_CONTAINER),
                Api::new("from_container_url").returns(AIO_CONTAINER),
                Api::new("get_blob_client").returns(AIO_BLOB),
                Api::new("exists").coroutine(),
                Api::new("create_container").coroutine(),
                Api::new("delete_container").coroutine(),
                Api::new("get_container_properties").coroutine(),
                Api::new("set_container_metadata").coroutine(),
                Api::new("get_container_access_policy").coroutine(),
                Api::new("set_container_access_policy").coroutine(),
                Api::new("upload_blob").coroutine().returns(AIO_BLOB),
                Api::new("delete_blob").coroutine(),
                Api::new("delete_blobs").coroutine(),
                Api::new("download_blob")
                    .coroutine()
                    .returns(AIO_DOWNLOADER),
                Api::new("acquire_lease").coroutine(),
            ]),
        Class::new(AIO_BLOB)
            .aliases(&["azure.storage.blob.aio._blob_client_async.BlobClient"])
            .methods(&[
                Api::new("get_account_information").coroutine(),
                Api::new("close").coroutine(),
                Api::new("from_connection_string").returns(AIO_BLOB),
                Api::new("from_blob_url").returns(AIO_BLOB),
                Api::new("exists").coroutine(),
                Api::new("upload_blob").coroutine(),
                Api::new("download_blob")
                    .coroutine()
                    .returns(AIO_DOWNLOADER),
                Api::new("delete_blob").coroutine(),
                Api::new("undelete_blob").coroutine(),
                Api::new("get_blob_properties").coroutine(),
                Api::new("set_blob_metadata").coroutine(),
                Api::new("set_http_headers").coroutine(),
                Api::new("get_blob_tags").coroutine(),
                Api::new("set_blob_tags").coroutine(),
                Api::new("create_snapshot").coroutine(),
                Api::new("start_copy_from_url").coroutine(),
                Api::new("abort_copy").coroutine(),
                Api::new("acquire_lease").coroutine(),
                Api::new("set_standard_blob_tier").coroutine(),
                Api::new("stage_block").coroutine(),
                Api::new("commit_block_list").coroutine(),
                Api::new("get_block_list").coroutine(),
                Api::new("create_append_blob").coroutine(),
                Api::new("append_block").coroutine(),
            ]),
        Class::type_only(AIO_DOWNLOADER)
            .aliases(&["azure.storage.blob.aio._download_async.StorageStreamDownloader"])
            .methods(&[
                Api::new("readall").coroutine(),
                Api::new("readinto").coroutine(),
                Api::new("read").coroutine(),
                Api::new("content_as_bytes").coroutine(),
                Api::new("content_as_text").coroutine(),
            ]),
    ]),
    Library::new("azure.cosmos").classes(&[
        Class::new(COSMOS)
            .aliases(&["azure.cosmos.cosmos_client.CosmosClient"])
            .other_methods(io(COSMOS_ASYNC))
            .methods(&[
                Api::new("from_connection_string").returns(COSMOS),
                // Hands the pooled connections back: nothing is sent or waited for.
                Api::new("close"),
                Api::new("get_database_client").returns(COSMOS_DATABASE),
                Api::new("create_database")
                    .blocks(io(COSMOS_ASYNC))
                    .returns(COSMOS_DATABASE),
                Api::new("create_database_if_not_exists")
                    .blocks(io(COSMOS_ASYNC))
                    .returns(COSMOS_DATABASE),
                Api::new("list_databases")
                    .blocks(io(COSMOS_ASYNC))
                    .generator(),
                Api::new("query_databases")
                    .blocks(io(COSMOS_ASYNC))
                    .generator(),
            ]),
        Class::type_only(COSMOS_DATABASE)
            .aliases(&["azure.cosmos.database.DatabaseProxy"])
            .other_methods(io(COSMOS_ASYNC))
            .methods(&[
                Api::new("get_container_client").returns(COSMOS_CONTAINER),
                Api::new("create_container")
                    .blocks(io(COSMOS_ASYNC))
                    .returns(COSMOS_CONTAINER),
                Api::new("create_container_if_not_exists")
                    .blocks(io(COSMOS_ASYNC))
                    .returns(COSMOS_CONTAINER),
                Api::new("list_containers")
                    .blocks(io(COSMOS_ASYNC))
                    .generator(),
                Api::new("query_containers")
                    .blocks(io(COSMOS_ASYNC))
                    .generator(),
            ]),
        Class::type_only(COSMOS_CONTAINER)
            .aliases(&["azure.cosmos.container.ContainerProxy"])
            .other_methods(io(COSMOS_ASYNC))
            .methods(&[
                Api::new("query_items").blocks(io(COSMOS_ASYNC)).generator(),
                Api::new("read_all_items")
                    .blocks(io(COSMOS_ASYNC))
                    .generator(),
                Api::new("query_items_change_feed")
                    .blocks(io(COSMOS_ASYNC))
                    .generator(),
            ]),
        Class::new(AIO_COSMOS)
            .aliases(&["azure.cosmos.aio._cosmos_client.CosmosClient"])
            .methods(&[
                Api::new("from_connection_string").returns(AIO_COSMOS),
                Api::new("get_database_client").returns(AIO_COSMOS_DATABASE),
                Api::new("create_database")
                    .coroutine()
                    .returns(AIO_COSMOS_DATABASE),
                Api::new("create_database_if_not_exists")
                    .coroutine()
                    .returns(AIO_COSMOS_DATABASE),
                Api::new("delete_database").coroutine(),
                Api::new("close").coroutine(),
            ]),
        Class::type_only(AIO_COSMOS_DATABASE)
            .aliases(&["azure.cosmos.aio._database.DatabaseProxy"])
            .methods(&[
                Api::new("get_container_client").returns(AIO_COSMOS_CONTAINER),
                Api::new("read").coroutine(),
                Api::new("create_container")
                    .coroutine()
                    .returns(AIO_COSMOS_CONTAINER),
                Api::new("create_container_if_not_exists")
                    .coroutine()
                    .returns(AIO_COSMOS_CONTAINER),
                Api::new("delete_container").coroutine(),
                Api::new("replace_container").coroutine(),
            ]),
        Class::type_only(AIO_COSMOS_CONTAINER)
            .aliases(&["azure.cosmos.aio._container.ContainerProxy"])
            .methods(&[
                Api::new("read").coroutine(),
                Api::new("read_item").coroutine(),
                Api::new("create_item").coroutine(),
                Api::new("upsert_item").coroutine(),
                Api::new("replace_item").coroutine(),
                Api::new("patch_item").coroutine(),
                Api::new("delete_item").coroutine(),
                Api::new("delete_all_items_by_partition_key").coroutine(),
                Api::new("execute_item_batch").coroutine(),
                Api::new("get_throughput").coroutine(),
                Api::new("replace_throughput").coroutine(),
            ]),
    ]),
    // A credential's `get_token` fetches a token over the network (or, for the CLI's, runs
    // `az` in a subprocess) whenever its cache has none.
    Library::new("azure.identity").classes(&[
        Class::new("azure.identity.DefaultAzureCredential")
            .methods(&[Api::new("get_token").blocks(io(IDENTITY_ASYNC))]),
        Class::new("azure.identity.ClientSecretCredential")
            .methods(&[Api::new("get_token").blocks(io(IDENTITY_ASYNC))]),
        Class::new("azure.identity.ManagedIdentityCredential")
            .methods(&[Api::new("get_token").blocks(io(IDENTITY_ASYNC))]),
        Class::new("azure.identity.AzureCliCredential")
            .methods(&[Api::new("get_token").blocks(io(IDENTITY_ASYNC))]),
        Class::new("azure.identity.aio.DefaultAzureCredential").methods(&[
            Api::new("get_token").coroutine(),
            Api::new("close").coroutine(),
        ]),
        Class::new("azure.identity.aio.ClientSecretCredential").methods(&[
            Api::new("get_token").coroutine(),
            Api::new("close").coroutine(),
        ]),
        Class::new("azure.identity.aio.ManagedIdentityCredential").methods(&[
            Api::new("get_token").coroutine(),
            Api::new("close").coroutine(),
        ]),
    ]),
];
