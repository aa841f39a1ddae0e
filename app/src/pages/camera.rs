//! "Take photo": the camera island on the photo task.
