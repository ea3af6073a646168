/* publish.c - complete-or-absent files and the cleanup list, see publish.h. */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "lzio.h"

#define REG_SLOTS 8

enum { SLOT_FREE, SLOT_FILE, SLOT_DIR };

/* The cleanup list is process-wide on purpose: the signal handler and
 * atexit() have no other way to reach it.  A slot's path is written before
 * `used` is set, so the handler never sees half a path. */
static struct {
	volatile sig_atomic_t used;          /* SLOT_* */
	char path[PATH_MAX];
	volatile unsigned long *next;        /* SLOT_DIR: files 0 .. *next-1 */
} reg[REG_SLOTS];
static int atexit_done;

struct publish {
	char *final;       /* NAME */
	char *dir;         /* its directory */
	char tmp[PATH_MAX];
	int fd;
	int slot;
	int in_place;      /* a device or FIFO: written directly, never renamed */
};

/* DIR/NUM into BUF with async-signal-safe code only (no snprintf). */
static void numbered_path(const char *dir, unsigned long num, char *buf, size_t n)
{
	char digits[24];
	int k = 0;
	do {
		digits[k++] = (char)('0' + num % 10);
		num /= 10;
	} while (num);
	size_t len = strlen(dir);
	if (len + 2 + (size_t)k > n) {
		buf[0] = '\0';
		return;
	}
	memcpy(buf, dir, len);
	buf[len++] = '/';
	while (k)
		buf[len++] = digits[--k];
	buf[len] = '\0';
}

void publish_emergency_cleanup(void)
{
	for (int i = 0; i < REG_SLOTS; i++) {
		if (reg[i].used == SLOT_FILE) {
			unlink(reg[i].path);
		} else if (reg[i].used == SLOT_DIR) {
			char path[PATH_MAX];
			for (unsigned long f = 0; f < *reg[i].next; f++) {
				numbered_path(reg[i].path, f, path, sizeof path);
				unlink(path);
			}
			rmdir(reg[i].path);
		}
	}
}

static void at_exit(void) { publish_emergency_cleanup(); }

static int reg_add(const char *path, int kind, volatile unsigned long *next)
{
	if (!atexit_done) {
		atexit(at_exit);
		atexit_done = 1;
	}
	for (int i = 0; i < REG_SLOTS; i++) {
		if (!reg[i].used) {
			snprintf(reg[i].path, sizeof reg[i].path, "%s", path);
			reg[i].next = next;
			reg[i].used = kind;
			return i;
		}
	}
	return -1;
}

int publish_track_dir(const char *dir, volatile unsigned long *next)
{
	return reg_add(dir, SLOT_DIR, next);
}

void publish_untrack_dir(int slot)
{
	if (slot >= 0)
		reg[slot].used = SLOT_FREE;
}

static void reg_del(int slot)
{
	if (slot >= 0)
		reg[slot].used = SLOT_FREE;
}

int publish_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* mkdir -p of DIR.  Returns 0 or -1 (errno set). */
static int mkdirs(const char *dir)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void host_name(char *buf, size_t n)
{
	if (gethostname(buf, n) != 0 || !buf[0])
		snprintf(buf, n, "localhost");
	buf[n - 1] = '\0';
	for (char *s = buf; *s; s++)
		if (*s == '/')
			*s = '_';
}

/* Removes NAME.part.HOST.PID.* and NAME.meta.part.HOST.PID.* left in DIR by
 * processes of this host that no longer exist (SIGKILL, power loss). */
static void remove_stale(const char *dir, const char *base, const char *host)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char pre[2][PATH_MAX];
	snprintf(pre[0], sizeof pre[0], "%s.part.%s.", base, host);
	snprintf(pre[1], sizeof pre[1], "%s.meta.part.%s.", base, host);
	struct dirent *e;
	while ((e = readdir(d))) {
		for (int i = 0; i < 2; i++) {
			size_t pl = strlen(pre[i]);
			if (strncmp(e->d_name, pre[i], pl) != 0)
				continue;
			char *end;
			long pid = strtol(e->d_name + pl, &end, 10);
			if (end == e->d_name + pl || *end != '.' || pid <= 0)
				continue;
			if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
				continue;
			char path[PATH_MAX];
			if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
				unlink(path);
		}
	}
	closedir(d);
}

/* Creates a registered temporary file for FINAL.SUFFIX in P's directory. */
static int make_temp(publish *p, const char *suffix, char *tmp, size_t n, int *slot,
		     char *err, size_t errlen)
{
	char host[256];
	host_name(host, sizeof host);
	if (snprintf(tmp, n, "%s%s.part.%s.%ld.XXXXXX", p->final, suffix, host, (long)getpid()) >= (int)n) {
		errno = ENAMETOOLONG;
		return errbuf_fail(err, errlen, -1, "%s: %s", p->final, strerror(errno));
	}
	/* No signal between creating the file and registering it: a second
	 * SIGINT/SIGTERM _exits from the handler, which must know the file. */
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	int fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		errbuf_fail(err, errlen, -1, "%s: %s", p->final, strerror(e));
		errno = e;
		return -1;
	}
	/* mkstemp makes 0600; a published cache file is as readable as any
	 * file this user creates. */
	mode_t um = umask(0);
	umask(um);
	fchmod(fd, 0666 & ~um);
	*slot = reg_add(tmp, SLOT_FILE, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (*slot < 0) {
		close(fd);
		unlink(tmp);
		errno = EMFILE;
		return errbuf_fail(err, errlen, -1, "too many temporary files");
	}
	return fd;
}

/* P's temporary file beside FINAL (its directory made first with MAKE_DIRS):
 * the name and directory set, the stale temporary files of dead writers on
 * this host removed.  Returns 0, or -1 with a reason in ERR. */
static int start(publish *p, const char *final, int make_dirs, char *err, size_t errlen)
{
	p->final = strdup(final);
	p->dir = p->final ? strdup(p->final) : NULL;
	if (!p->final || !p->dir)
		return errbuf_fail(err, errlen, -1, "out of memory");
	char *slash = strrchr(p->dir, '/');
	if (slash == p->dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		strcpy(p->dir, ".");
	if (make_dirs && slash && slash != p->dir && mkdirs(p->dir) != 0)
		return errbuf_fail(err, errlen, -1, "%s: %s", p->dir, strerror(errno));
	char host[256];
	host_name(host, sizeof host);
	remove_stale(p->dir, slash ? strrchr(p->final, '/') + 1 : p->final, host);
	p->fd = make_temp(p, "", p->tmp, sizeof p->tmp, &p->slot, err, errlen);
	return p->fd < 0 ? -1 : 0;
}

/* A handle with nothing open yet, or NULL with the reason in ERR. */
static publish *alloc(char *err, size_t errlen)
{
	publish *p = calloc(1, sizeof *p);
	if (!p) {
		errbuf_fail(err, errlen, -1, "out of memory");
		return NULL;
	}
	p->fd = -1;
	p->slot = -1;
	return p;
}

publish *publish_begin(const char *final_path, char *err, size_t errlen)
{
	publish *p = alloc(err, errlen);
	if (!p)
		return NULL;
	if (start(p, final_path, 1, err, errlen) != 0) {
		publish_abort(p);
		return NULL;
	}
	return p;
}

publish *publish_open(const char *path, char *err, size_t errlen)
{
	struct stat st;
	publish *p = alloc(err, errlen);
	if (!p)
		return NULL;
	if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0 ||
	    (stat(path, &st) == 0 && !S_ISREG(st.st_mode))) {
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			errbuf_fail(err, errlen, -1, "%s: %s", path, strerror(errno));
			goto fail;
		}
		p->in_place = 1;
		p->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (p->fd < 0) {
			errbuf_fail(err, errlen, -1, "%s: %s", path, strerror(errno));
			goto fail;
		}
		snprintf(p->tmp, sizeof p->tmp, "%s", path);
		return p;
	}
	char real[PATH_MAX];
	if (start(p, realpath(path, real) ? real : path, 0, err, errlen) != 0)
		goto fail;
	return p;
fail:
	publish_abort(p);
	return NULL;
}

int publish_fd(const publish *p) { return p->fd; }
const char *publish_temp_path(const publish *p) { return p->tmp; }

int publish_truncate(publish *p)
{
	if (ftruncate(p->fd, 0) != 0 || lseek(p->fd, 0, SEEK_SET) != 0)
		return -1;
	return 0;
}

void publish_abort(publish *p)
{
	if (!p)
		return;
	if (p->fd >= 0) {
		close(p->fd);
		if (!p->in_place)
			unlink(p->tmp);
	}
	reg_del(p->slot);
	free(p->final);
	free(p->dir);
	free(p);
}

int publish_commit(publish *p, const char *meta, char *err, size_t errlen)
{
	char mtmp[PATH_MAX], mfinal[PATH_MAX];
	int mfd = -1, mslot = -1, rc = -1;
	if (p->in_place) {
		int fd = p->fd;
		p->fd = -1;
		if (close(fd) != 0) {
			errbuf_fail(err, errlen, -1, "%s: %s", p->tmp, strerror(errno));
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (fsync(p->fd) != 0) {
		errbuf_fail(err, errlen, -1, "fsync %s: %s", p->tmp, strerror(errno));
		goto out;
	}
	if (meta) {
		if (snprintf(mfinal, sizeof mfinal, "%s.meta", p->final) >= (int)sizeof mfinal) {
			errbuf_fail(err, errlen, -1, "%s.meta: %s", p->final, strerror(ENAMETOOLONG));
			goto out;
		}
		mfd = make_temp(p, ".meta", mtmp, sizeof mtmp, &mslot, err, errlen);
		if (mfd < 0)
			goto out;
		if (lzio_write_all(mfd, meta, strlen(meta)) != 0 || lzio_write_all(mfd, "\n", 1) != 0 ||
		    fsync(mfd) != 0) {
			errbuf_fail(err, errlen, -1, "%s: %s", mtmp, strerror(errno));
			goto out;
		}
		if (rename(mtmp, mfinal) != 0) {
			errbuf_fail(err, errlen, -1, "rename %s: %s", mfinal, strerror(errno));
			goto out;
		}
		reg_del(mslot);
		mslot = -1;
	}
	if (rename(p->tmp, p->final) != 0) {
		errbuf_fail(err, errlen, -1, "rename %s: %s", p->final, strerror(errno));
		goto out;
	}
	reg_del(p->slot);
	p->slot = -1;
	close(p->fd);
	p->fd = -1;
	/* The renames are durable only once the directory is synced. */
	int dfd = open(p->dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0 || fsync(dfd) != 0) {
		errbuf_fail(err, errlen, -1, "fsync %s: %s", p->dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		/* Published but maybe not durable: report it, leave the file. */
		goto out;
	}
	close(dfd);
	rc = 0;
out:
	if (mfd >= 0) {
		close(mfd);
		if (mslot >= 0)
			unlink(mtmp);
	}
	reg_del(mslot);
	publish_abort(p);
	return rc;
}

int publish_copy_fd(publish *p, int fd, const char *name, char *err, size_t errlen)
{
	char buf[1 << 16];
	ssize_t n;
	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errbuf_fail(err, errlen, -1, "%s: %s", name, strerror(errno));
		if (lzio_write_all(p->fd, buf, (size_t)n))
			return errbuf_fail(err, errlen, -1, "%s: %s", p->in_place ? p->final : p->tmp, strerror(errno));
	}
	return 0;
}
