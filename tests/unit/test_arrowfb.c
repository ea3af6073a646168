/* test_arrowfb.c - unit tests of the Arrow IPC Schema message: the empty
 * schema checked by hand, byte by byte, against Message.fbs/Schema.fbs and
 * the flatbuffers layout; one bool field as pyarrow's ipc.read_schema
 * decodes it ("b: bool"); the dictionary and metadata parts are checked by
 * pyarrow itself in tests/osdown_parquet.sh (categories load as category). */
#include <stdlib.h>
#include <string.h>

#include "arrowfb.h"
#include "unit.h"

/* The empty schema, decoded from base64 (offsets in the flatbuffer, after
 * the 8-byte encapsulation ffffffff 40000000):
 *   0  14000000          root: the Message table at 20
 *   4  00000000 0000     padding
 *   10 0a00 0e00 0600 0500 0800   Message vtable: 3 fields; version at +6,
 *                                 header_type at +5, header at +8
 *   20 0a000000          Message: vtable at 20 - 10
 *   24 00 01 0400        header_type Schema (1), version V5 (4)
 *   28 10000000          header: the Schema table at 28 + 16 = 44
 *   32 0000
 *   34 0a00 0c00 0000 0800 0400   Schema vtable: no endianness (Little),
 *                                 fields at +8, custom_metadata at +4
 *   44 0a000000          Schema: vtable at 44 - 10
 *   48 0c000000          custom_metadata: the vector at 48 + 12 = 60
 *   52 04000000          fields: the vector at 52 + 4 = 56
 *   56 00000000          fields: 0 elements
 *   60 00000000          custom_metadata: 0 elements */
static const char empty[] = "/////0AAAAAUAAAAAAAAAAAACgAOAAYABQAIAAoAAAAAAQQAEAAAAAAACgAMAAAACAAEAAoAAAAMAAAABAAAAAAAAAAAAAAA";
static const char one_bool[] = "/////3gAAAAQAAAAAAAKAA4ABgAFAAgACgAAAAABBAAQAAAAAAAKAAwAAAAIAAQACgAAAEgAAAAEAAAAAQAAABQAAAAQABQAEAAHAAYADAAAAAgAEAAAAAAABgEcAAAAFAAAAAQAAAABAAAAYgAAAAQABAAEAAAAAAAAAAAAAAA=";

int main(void)
{
	char *s = arrowfb_schema_base64(NULL, 0, NULL);
	test_cond("empty schema, byte for byte", s && strcmp(s, empty) == 0);
	free(s);
	struct arrowfb_field b = { "b", 1, ARROWFB_BOOL, 0, 0, 1, 0 };
	s = arrowfb_schema_base64(&b, 1, NULL);
	test_cond("one nullable bool field", s && strcmp(s, one_bool) == 0);
	free(s);
	const char *kv[] = { "k", "v", NULL };
	s = arrowfb_schema_base64(&b, 1, kv);
	test_cond("metadata makes it longer, base64 padded to 4",
	          s && strlen(s) > strlen(one_bool) && strlen(s) % 4 == 0);
	free(s);
	return test_report();
}
