# osmerge_gen.awk - writes N test documents shaped like osfetch output, in
# @timestamp order, deterministic for a given seed.  Used by the osmerge
# tests and benchmarks (no server needed).
#
#   awk -v n=1000 -v start=1709251200000 -v span=3600000 -v seed=1 \
#       [-v idx=logs-2024.03.01] [-v pad=100] -f tests/osmerge_gen.awk
#
# Timestamps are start + i*span/n (ms, so several documents share one when
# span < n), written as ISO-8601 UTC with milliseconds.  _id is unique
# per (idx, seed, i).
function two(x) { return (x < 10 ? "0" : "") x }
function three(x) { return (x < 10 ? "00" : x < 100 ? "0" : "") x }
# Days since 1970-01-01 to Y-M-D (Howard Hinnant's civil_from_days).
function iso(ms,    s, days, secs, z, era, doe, yoe, y, doy, mp, d, m) {
	s = int(ms / 1000)
	days = int(s / 86400)
	secs = s - days * 86400
	z = days + 719468
	era = int(z / 146097)
	doe = z - era * 146097
	yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
	y = yoe + era * 400
	doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
	mp = int((5 * doy + 2) / 153)
	d = doy - int((153 * mp + 2) / 5) + 1
	m = mp < 10 ? mp + 3 : mp - 9
	if (m <= 2) y++
	return y "-" two(m) "-" two(d) "T" two(int(secs / 3600)) ":" two(int(secs % 3600 / 60)) ":" \
		two(secs % 60) "." three(ms % 1000) "Z"
}
BEGIN {
	if (n == "") n = 1000
	if (start == "") start = 1709251200000
	if (span == "") span = 3600000
	if (seed == "") seed = 1
	if (idx == "") idx = "logs-2024.03.01"
	if (pad == "") pad = 60
	srand(seed)
	filler = ""
	for (k = 0; k < pad; k++) filler = filler substr("abcdefghijklmnopqrstuvwxyz", k % 26 + 1, 1)
	for (i = 0; i < n; i++) {
		t = start + int(i * span / n)
		printf "{\"_id\":\"%s-%d-%07d\",\"_index\":\"%s\",\"@timestamp\":\"%s\",\"host\":{\"name\":\"web-%d\"},\"bytes\":%d,\"status\":%d,\"message\":\"GET /%s %d\"}\n", \
			substr(idx, 1, 4), seed, i, idx, iso(t), int(rand() * 50), int(rand() * 100000), \
			200 + 100 * int(rand() * 4), substr(filler, 1, int(rand() * pad)), i
	}
}
