# tests/test_make.sh - build and install: make install into a DESTDIR puts
# every tool and man page in place, and each installed tool answers --help
# and --version (and fails with usage status 2 on an unknown option).
. "$(dirname "$0")/setup"

# Every C tool (one bin/TOOL.c each) and the driver.
ctools=$(cd "$TOP/bin" && ls *.c | sed 's/\.c$//')
tools="$ctools osdownload"

for t in $ctools; do
	[ -x "$TOP/bin/$t" ] && pass "built bin/$t" || fail "bin/$t is not built"
done

t_run "make install PREFIX=/usr DESTDIR=..." 0 '' make -C "$TOP" -s install PREFIX=/usr DESTDIR="$T/root"
for t in $tools; do
	b="$T/root/usr/bin/$t"
	if [ ! -x "$b" ]; then
		fail "installed $t: no $b"
		continue
	fi
	pass "installed /usr/bin/$t"
	if [ -f "$TOP/docs/$t.1" ]; then
		[ -f "$T/root/usr/share/man/man1/$t.1" ] && pass "installed man page $t.1" || fail "man page $t.1 not installed"
		# The page must be valid troff with the sections we promise.
		for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" LIMITS EXAMPLES; do
			grep -q "^\.SH \"\{0,1\}$s" "$TOP/docs/$t.1" && pass "$t.1 has $s" || fail "$t.1 lacks .SH $s"
		done
		if command -v man >/dev/null 2>&1; then
			# Long example lines that cannot be broken are fine; macro
			# and syntax warnings are not.
			warn=$(MANWIDTH=80 man --warnings -l "$TOP/docs/$t.1" 2>&1 >/dev/null |
				grep -v "can't break line" | head -3)
			t_eq "$t.1 renders without warnings" "$warn" ""
		fi
	else
		fail "docs/$t.1 missing"
	fi
	# Run the installed copy, not the one in bin/ (PATH has bin/ first).
	t_run "$t --version" 0 '' "$b" --version
	grep -Eq "^$t osdl [0-9]+\.[0-9]+" "$T/out" && pass "$t --version says '$t osdl VERSION'" \
		|| fail "$t --version printed: $(head -c 100 "$T/out")"
	t_run "$t --help" 0 '' "$b" --help
	grep -qi 'usage' "$T/out" && pass "$t --help prints a usage" || fail "$t --help: $(head -c 100 "$T/out")"
	# Every long option of the man page appears in --help.
	if [ -f "$TOP/docs/$t.1" ]; then
		missing=""
		# The long options defined in OPTIONS: the tag line after each .TP/.IP.
		opts=$(awk '/^\.SH/ { on = ($0 ~ /OPTIONS/) } on && tag { print; tag = 0 } on && /^\.(TP|IP)/ { tag = 1 }' "$TOP/docs/$t.1" |
			sed 's/\\-/-/g; s/\\f[BIRP]//g' | grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u)
		[ -n "$opts" ] && pass "$t.1: OPTIONS lists long options" || fail "$t.1: no long option in OPTIONS"
		for o in $opts; do
			grep -qE -- "$o([^a-z0-9-]|\$)" "$T/out" || missing="$missing $o"
		done
		t_eq "$t --help lists every option of $t.1" "$missing" ""
	fi
	t_run "$t --no-such-option" 2 "$t: " "$b" --no-such-option
done

# One size and one depth rule for all tools: each page's LIMITS states lib/osdl.h's.
depth=$(sed -n 's/^#define OSDL_MAX_DEPTH \([0-9]*\)$/\1/p' "$TOP/lib/osdl.h")
mib=$(sed -n 's/.*define OSDL_MAX_DOC ((size_t)\([0-9]*\) << 20).*/\1/p' "$TOP/lib/osdl.h")
for t in $tools; do
	sed -n '/^\.SH LIMITS/,/^\.SH /p' "$TOP/docs/$t.1" | grep -q "may be up to $mib MiB" &&
		pass "$t.1 LIMITS: documents up to $mib MiB" || fail "$t.1 LIMITS does not state OSDL_MAX_DOC ($mib MiB)"
	sed -n '/^\.SH LIMITS/,/^\.SH /p' "$TOP/docs/$t.1" | grep -q "nest up to $depth levels deep" &&
		pass "$t.1 LIMITS: $depth levels" || fail "$t.1 LIMITS does not state OSDL_MAX_DEPTH ($depth)"
done

# The scripts the driver runs or sources are installed beside it, and the
# installed driver finds them there (--help sources osdownload-common and
# osdownload-options).
for s in osdownload-common osdownload-options osdownload-job osdownload-progress osdownload-info osdownload-hosts; do
	[ -f "$T/root/usr/bin/$s" ] && pass "installed /usr/bin/$s beside osdownload" || fail "$s is not installed"
done
t_run "the installed osdownload finds its scripts" 0 '' env PATH=/usr/bin:/bin "$T/root/usr/bin/osdownload" --help

t_run "make uninstall" 0 '' make -C "$TOP" -s uninstall PREFIX=/usr DESTDIR="$T/root"
left=$(find "$T/root" -type f | wc -l | tr -d ' ')
t_eq "make uninstall removes what install put" "$left" 0
t_done
