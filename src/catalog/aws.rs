//! AWS clients: `boto3` builds them, `botocore` is the client type `boto3.client()` returns.
//! Every call on a client or resource is a request, except the local helpers listed without
//! blocking facts; a session's `get_credentials` reads the credential chain (files, and the
//! instance metadata service over HTTP). `pycognito` wraps boto3's Cognito client (and fetches the pool's signing
//! keys with `requests`): its `Cognito` object's methods are requests too, but for the few
//! that only read or set its own attributes.

use super::entries::{Api, Class, Library, io};

const BASE_CLIENT: &str = "botocore.client.BaseClient";
const SERVICE_RESOURCE: &str = "boto3.resources.base.ServiceResource";
const BOTOCORE_SESSION: &str = "botocore.session.Session";

/// The class a type-stub package names for a boto3 client or resource: the stubs
/// (`mypy_boto3_s3.S3Client`, `types_boto3_dynamodb.service_resource.DynamoDBServiceResource`)
/// give each service's client a class of its own, one package per service, while at run time
/// every one of them is a botocore client. Read by their package's prefix and the class's
/// last name, since there is a package for each of the hundreds of services.
pub(super) fn stub_class(path: &str) -> Option<&'static str> {
    const STUB_PACKAGES: &[&str] = &["mypy_boto3_", "types_boto3_"];
    if !STUB_PACKAGES
        .iter()
        .any(|package| path.starts_with(package))
    {
        return None;
    }
    let name = path.rsplit('.').next().unwrap_or(path);
    if name.ends_with("ServiceResource") {
        Some(SERVICE_RESOURCE)
    } else if name.ends_with("Client") {
        Some(BASE_CLIENT)
    } else {
        None
    }
}

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("boto3")
        .functions(&[
            Api::new("boto3.client").returns(BASE_CLIENT),
            Api::new("boto3.resource").returns(SERVICE_RESOURCE),
        ])
        .classes(&[
            Class::new("boto3.session.Session")
                .aliases(&["boto3.Session"])
                .methods(&[
                    Api::new("client").returns(BASE_CLIENT),
                    Api::new("resource").returns(SERVICE_RESOURCE),
                    // The credential chain: files under `~/.aws`, and the instance's metadata
                    // service over HTTP when those are missing.
                    Api::new("get_credentials").blocks(io(Some("aioboto3"))),
                ]),
            // `s3.Bucket(...)`, `dynamodb.Table(...)` build sub-resources locally.
            Class::type_only(SERVICE_RESOURCE)
                .other_methods(io(Some("aioboto3")))
                .methods(&[
                    Api::new("Table").returns(SERVICE_RESOURCE),
                    Api::new("Bucket").returns(SERVICE_RESOURCE),
                    Api::new("Object").returns(SERVICE_RESOURCE),
                    Api::new("Queue").returns(SERVICE_RESOURCE),
                ])
                .attributes(&[("meta", "boto3.resources.base.ResourceMeta")]),
            Class::type_only("boto3.resources.base.ResourceMeta")
                .attributes(&[("client", BASE_CLIENT)]),
        ]),
    Library::new("pycognito").classes(&[
        Class::new("pycognito.Cognito")
            .other_methods(io(None))
            .methods(&[
                // Built from the attributes the object already holds.
                Api::new("get_user_obj"),
                Api::new("set_base_attributes"),
                Api::new("switch_session"),
            ]),
        Class::new("pycognito.aws_srp.AWSSRP")
            .aliases(&["pycognito.AWSSRP"])
            .other_methods(io(None))
            .methods(&[
                // The SRP arithmetic, with no request.
                Api::new("get_auth_params"),
                Api::new("process_challenge"),
            ]),
    ]),
    Library::new("botocore")
        .functions(&[Api::new("botocore.session.get_session").returns(BOTOCORE_SESSION)])
        .classes(&[
            Class::new(BOTOCORE_SESSION).methods(&[
                Api::new("create_client").returns(BASE_CLIENT),
                Api::new("get_credentials").blocks(io(Some("aiobotocore"))),
            ]),
            Class::type_only(BASE_CLIENT)
                .other_methods(io(Some("aioboto3 / aiobotocore")))
                .methods(&[
                    Api::new("get_paginator"),
                    Api::new("get_waiter"),
                    Api::new("can_paginate"),
                    Api::new("generate_presigned_url"),
                    Api::new("generate_presigned_post"),
                    Api::new("close"),
                ]),
        ]),
];
