//! Blocking protocol clients: paho-mqtt's connect and network loop, the standard
//! library's clients for FTP, SMTP, POP3, IMAP and XML-RPC (building one of those connects,
//! XML-RPC's per call, and every method is a round trip except the local settings listed
//! without blocking facts), and pyserial's ports, whose reads wait for the device.

use super::entries::{Api, Class, Library, io};

const AIOFTP: Option<&str> = Some("aioftp");
const AIOSMTPLIB: Option<&str> = Some("aiosmtplib");
const AIOIMAPLIB: Option<&str> = Some("aioimaplib");

const AIOMQTT: Option<&str> = Some("aiomqtt");
const SERIAL_ASYNCIO: Option<&str> = Some("pyserial-asyncio's `open_serial_connection`");

pub(super) const LIBRARIES: &[Library] = &[
    // paho-mqtt: connecting waits on the socket, and its network loop blocks for its
    // timeout (or for ever); `publish` only queues while `loop_start()`'s thread sends.
    Library::new("paho.mqtt")
        .functions(&[
            Api::new("paho.mqtt.publish.single").blocks(io(AIOMQTT)),
            Api::new("paho.mqtt.publish.multiple").blocks(io(AIOMQTT)),
        ])
        .classes(&[Class::new("paho.mqtt.client.Client").methods(&[
            Api::new("connect").blocks(io(AIOMQTT)),
            Api::new("reconnect").blocks(io(AIOMQTT)),
            Api::new("loop").blocks(io(AIOMQTT)),
            Api::new("loop_forever").blocks(io(AIOMQTT)),
        ])]),
    Library::new("ftplib").classes(&[Class::new("ftplib.FTP")
        .aliases(&["ftplib.FTP_TLS"])
        .constructor_blocks(io(AIOFTP))
        .other_methods(io(AIOFTP))
        .methods(&[Api::new("set_debuglevel"), Api::new("set_pasv")])]),
    Library::new("smtplib").classes(&[Class::new("smtplib.SMTP")
        .aliases(&["smtplib.SMTP_SSL"])
        .constructor_blocks(io(AIOSMTPLIB))
        .other_methods(io(AIOSMTPLIB))
        .methods(&[Api::new("set_debuglevel")])]),
    Library::new("poplib").classes(&[Class::new("poplib.POP3")
        .aliases(&["poplib.POP3_SSL"])
        .constructor_blocks(io(None))
        .other_methods(io(None))]),
    Library::new("imaplib").classes(&[Class::new("imaplib.IMAP4")
        .aliases(&["imaplib.IMAP4_SSL"])
        .constructor_blocks(io(AIOIMAPLIB))
        .other_methods(io(AIOIMAPLIB))]),
    Library::new("xmlrpc.client")
        .classes(&[Class::new("xmlrpc.client.ServerProxy").other_methods(io(None))]),
    // pyserial: opening the port opens the device, a read waits for its bytes (up to the
    // port's `timeout`, for ever by default), a write or flush for the driver to take them.
    Library::new("serial")
        .functions(&[Api::new("serial.serial_for_url")
            .blocks(io(SERIAL_ASYNCIO))
            .returns(SERIAL_PORT)])
        .classes(&[Class::new(SERIAL_PORT)
            .aliases(&["serial.serialposix.Serial", "serial.serialwin32.Serial"])
            .constructor_blocks(io(SERIAL_ASYNCIO))
            .methods(&[
                Api::new("open").blocks(io(SERIAL_ASYNCIO)),
                Api::new("read").blocks(io(SERIAL_ASYNCIO)),
                Api::new("read_until").blocks(io(SERIAL_ASYNCIO)),
                Api::new("readline").blocks(io(SERIAL_ASYNCIO)),
                Api::new("readlines").blocks(io(SERIAL_ASYNCIO)),
                Api::new("write").blocks(io(SERIAL_ASYNCIO)),
                Api::new("flush").blocks(io(SERIAL_ASYNCIO)),
            ])]),
];

const SERIAL_PORT: &str = "serial.Serial";
