"""The programs and modules here are run as subprocesses, not collected as tests."""

collect_ignore = ["programs", "modules"]
