/* esc.h - data-derived text made safe for one log or error line.
 *
 * Index names, column names and other strings that come from the data or the
 * server may hold newlines, control characters, terminal escapes or invalid
 * UTF-8.  Printed raw they can forge a log line or rewrite the terminal;
 * esc_display() turns them into one printable line that still reads as the
 * original where it was harmless.
 */
#ifndef ESC_H
#define ESC_H

#include <stddef.h>

/* A buffer size that shows any index name and most column names whole. */
#define ESC_DISPLAY_MAX 320

/* Copies S (LEN bytes; (size_t)-1: up to its NUL) into BUF (N >= 8 bytes)
 * as one display line: backslash becomes "\\", tab, newline and CR "\t",
 * "\n", "\r", other C0 controls, DEL and bytes that are not valid UTF-8
 * "\xHH", the C1 controls and the line/paragraph separators and bidi
 * overrides (U+2028..U+202E, U+2066..U+2069) "\uHHHH"; valid UTF-8 otherwise
 * stays as it is.  Text that does not fit ends in "..." instead.  S NULL
 * shows as "(null)".  Returns BUF, always NUL-terminated. */
const char *esc_display(const char *s, size_t len, char *buf, size_t n);

/* The same as esc_display() but backslashes stay as they are: for a whole
 * message already made of escaped parts, so they are not escaped twice,
 * while whatever a caller forgot still cannot break the line. */
const char *esc_line(const char *s, size_t len, char *buf, size_t n);

#endif
