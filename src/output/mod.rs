//! Output formats. (Being written.)
