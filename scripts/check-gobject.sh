#!/usr/bin/env bash
# GLib/GObject/GStreamer references are released only by media/gobject_ptr.h (GRef, GCharPtr,
# GErrorPtr, GstStructurePtr, GListPtr): a raw unref or free anywhere else is an error. Prints each offending line; exits
# non-zero if there is one.
set -euo pipefail
cd "$(dirname "$0")/.."
pattern='\b(g|gst)_[a-z_]*unref[[:space:]]*\(|\bg_free[[:space:]]*\(|\bg_error_free[[:space:]]*\(|\bgst_structure_free[[:space:]]*\(|\bg_list_free[[:space:]]*\('
if found=$(grep -rnE --include='*.cpp' --include='*.h' "$pattern" apps mcu media signaling bench tests |
           grep -v '^media/gobject_ptr.h:'); then
  echo "raw GLib/GStreamer unref or free outside media/gobject_ptr.h:" >&2
  echo "$found" >&2
  exit 1
fi
echo "gobject check: every reference is released through media/gobject_ptr.h"
