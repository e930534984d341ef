//! The standard library's blocking clients for FTP, SMTP, POP3, IMAP and XML-RPC: building
//! one connects (XML-RPC's connects per call), and every method is a round trip except the
//! local settings listed without blocking facts.

use super::entries::{Api, Class, Library, io};

const AIOFTP: Option<&str> = Some("aioftp");
const AIOSMTPLIB: Option<&str> = Some("aiosmtplib");
const AIOIMAPLIB: Option<&str> = Some("aioimaplib");

pub(super) const LIBRARIES: &[Library] = &[
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
];
