//! CPU-heavy password hashing, key derivation and key generation (LW102): deliberately slow
//! functions that hold the loop for tens to hundreds of milliseconds, and the prime searches
//! of RSA, DSA and Diffie-Hellman key and parameter generation (seconds for large keys), with
//! the loading of a private key, which checks an RSA key's primes (or derives the key of an
//! encrypted one). Key-expansion KDFs (`HKDF`, `ConcatKDF`, `X963KDF`) are one or two HMACs,
//! microseconds: not listed; nor are elliptic-curve keys, made in microseconds.

use super::entries::{Api, CPU, Class, ClassFamily, Library};

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("bcrypt").functions(&[
        Api::new("bcrypt.hashpw").blocks(CPU),
        Api::new("bcrypt.checkpw").blocks(CPU),
        Api::new("bcrypt.kdf").blocks(CPU),
    ]),
    Library::new("passlib")
        .classes(&[Class::new("passlib.context.CryptContext").methods(&[
            Api::new("hash").blocks(CPU),
            Api::new("verify").blocks(CPU),
            Api::new("verify_and_update").blocks(CPU),
        ])])
        // `passlib.hash.bcrypt.hash(...)`, `passlib.hash.argon2.verify(...)`, ...
        .class_families(&[ClassFamily {
            module: "passlib.hash",
            methods: &[
                Api::new("hash").blocks(CPU),
                Api::new("verify").blocks(CPU),
                Api::new("genhash").blocks(CPU),
            ],
        }]),
    // FastAPI's tutorials' choice: `PasswordHash.recommended()` (Argon2), or built from
    // hashers, each of which hashes and verifies on its own too.
    Library::new("pwdlib").classes(&[
        Class::new("pwdlib.PasswordHash")
            .aliases(&["pwdlib._hash.PasswordHash"])
            .methods(&[
                Api::new("recommended").returns("pwdlib.PasswordHash"),
                Api::new("hash").blocks(CPU),
                Api::new("verify").blocks(CPU),
                Api::new("verify_and_update").blocks(CPU),
            ]),
        Class::new("pwdlib.hashers.argon2.Argon2Hasher")
            .methods(&[Api::new("hash").blocks(CPU), Api::new("verify").blocks(CPU)]),
        Class::new("pwdlib.hashers.bcrypt.BcryptHasher")
            .methods(&[Api::new("hash").blocks(CPU), Api::new("verify").blocks(CPU)]),
    ]),
    Library::new("argon2").classes(&[Class::new("argon2.PasswordHasher")
        .methods(&[Api::new("hash").blocks(CPU), Api::new("verify").blocks(CPU)])]),
    Library::new("hashlib").functions(&[
        Api::new("hashlib.pbkdf2_hmac").blocks(CPU),
        Api::new("hashlib.scrypt").blocks(CPU),
    ]),
    Library::new("cryptography")
        .functions(&[
            Api::new("cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key")
                .blocks(CPU),
            Api::new("cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key")
                .blocks(CPU),
            Api::new("cryptography.hazmat.primitives.asymmetric.dsa.generate_parameters")
                .blocks(CPU),
            Api::new("cryptography.hazmat.primitives.asymmetric.dh.generate_parameters")
                .blocks(CPU),
            Api::new("cryptography.hazmat.primitives.serialization.load_pem_private_key")
                .blocks(CPU),
            Api::new("cryptography.hazmat.primitives.serialization.load_der_private_key")
                .blocks(CPU),
        ])
        .classes(&[
            Class::new("cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC").methods(&[
                Api::new("derive").blocks(CPU),
                Api::new("verify").blocks(CPU),
            ]),
            Class::new("cryptography.hazmat.primitives.kdf.scrypt.Scrypt").methods(&[
                Api::new("derive").blocks(CPU),
                Api::new("verify").blocks(CPU),
            ]),
            Class::new("cryptography.hazmat.primitives.kdf.argon2.Argon2id").methods(&[
                Api::new("derive").blocks(CPU),
                Api::new("verify").blocks(CPU),
            ]),
        ]),
];
