//! Child processes: `subprocess` and the `os` process functions (`os.system`, `os.popen`,
//! `os.spawn*`, `os.wait*`), which wait for the child on the calling thread; and libraries
//! whose functions run a program and wait for it the same way (`pytesseract` runs
//! `tesseract`, `pdf2image` runs poppler's `pdftoppm`, `ffmpeg-python` runs `ffmpeg`).

use super::entries::{Api, Class, Library, io, unless_option};

const SUBPROCESS_ASYNC: Option<&str> = Some("asyncio.create_subprocess_exec");

pub(super) const LIBRARIES: &[Library] = &[
    Library::new("subprocess")
        .functions(&[
            Api::new("subprocess.run").blocks(io(SUBPROCESS_ASYNC)),
            Api::new("subprocess.call").blocks(io(SUBPROCESS_ASYNC)),
            Api::new("subprocess.check_call").blocks(io(SUBPROCESS_ASYNC)),
            Api::new("subprocess.check_output").blocks(io(SUBPROCESS_ASYNC)),
            Api::new("subprocess.getoutput").blocks(io(SUBPROCESS_ASYNC)),
            Api::new("subprocess.getstatusoutput").blocks(io(SUBPROCESS_ASYNC)),
        ])
        .classes(&[Class::new("subprocess.Popen").methods(&[
            Api::new("wait").blocks(io(SUBPROCESS_ASYNC)),
            Api::new("communicate").blocks(io(SUBPROCESS_ASYNC)),
        ])]),
    Library::new("os").functions(&[
        Api::new("os.system").blocks(io(SUBPROCESS_ASYNC)),
        // A pipe to the command, read like a text file: its `read()` waits for the command to
        // end, so the fix moves the `popen` with the reads of its pipe.
        Api::new("os.popen")
            .blocks(io(SUBPROCESS_ASYNC))
            .returns("io.TextIOWrapper"),
        Api::new("os.spawnl").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.spawnle").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.spawnlp").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.spawnlpe").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.spawnv").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.spawnve").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.spawnvp").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.spawnvpe").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("os.wait").blocks(io(SUBPROCESS_ASYNC)),
        // `WNOHANG` in the options: reap a child that has exited, or return at once.
        Api::new("os.waitpid").blocks(unless_option(SUBPROCESS_ASYNC, "options", 1, "WNOHANG")),
        Api::new("os.wait3").blocks(unless_option(SUBPROCESS_ASYNC, "options", 0, "WNOHANG")),
        Api::new("os.wait4").blocks(unless_option(SUBPROCESS_ASYNC, "options", 1, "WNOHANG")),
        Api::new("os.waitid").blocks(unless_option(SUBPROCESS_ASYNC, "options", 2, "WNOHANG")),
    ]),
    Library::new("pytesseract").functions(&[
        Api::new("pytesseract.image_to_string").blocks(io(None)),
        Api::new("pytesseract.image_to_data").blocks(io(None)),
        Api::new("pytesseract.image_to_boxes").blocks(io(None)),
        Api::new("pytesseract.image_to_osd").blocks(io(None)),
        Api::new("pytesseract.image_to_pdf_or_hocr").blocks(io(None)),
        Api::new("pytesseract.image_to_alto_xml").blocks(io(None)),
        Api::new("pytesseract.run_and_get_output").blocks(io(None)),
        Api::new("pytesseract.get_tesseract_version").blocks(io(None)),
        Api::new("pytesseract.get_languages").blocks(io(None)),
        // The module that defines them, which some code imports from.
        Api::new("pytesseract.pytesseract.image_to_string").blocks(io(None)),
        Api::new("pytesseract.pytesseract.image_to_data").blocks(io(None)),
        Api::new("pytesseract.pytesseract.run_and_get_output").blocks(io(None)),
    ]),
    Library::new("pdf2image").functions(&[
        Api::new("pdf2image.convert_from_path").blocks(io(None)),
        Api::new("pdf2image.convert_from_bytes").blocks(io(None)),
        Api::new("pdf2image.pdfinfo_from_path").blocks(io(None)),
        Api::new("pdf2image.pdfinfo_from_bytes").blocks(io(None)),
        Api::new("pdf2image.pdf2image.convert_from_path").blocks(io(None)),
        Api::new("pdf2image.pdf2image.convert_from_bytes").blocks(io(None)),
    ]),
    Library::new("ffmpeg").functions(&[
        Api::new("ffmpeg.run").blocks(io(SUBPROCESS_ASYNC)),
        Api::new("ffmpeg.probe").blocks(io(SUBPROCESS_ASYNC)),
    ]),
];
