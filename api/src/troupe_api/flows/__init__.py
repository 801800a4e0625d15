"""Work that spans domains (session start, runtime config resolution)."""
