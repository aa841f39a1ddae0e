//! Photos: checked from their bytes, re-encoded (which drops EXIF), size-limited.
