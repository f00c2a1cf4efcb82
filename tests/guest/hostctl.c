// SPDX-License-Identifier: MIT
/*
 * npu-hostctl - the guest tests' line to QEMU's monitor (runs on the host).
 *
 *   npu-hostctl [-p QEMU_PID] QMP_SOCKET SERIAL_SOCKET
 *
 * run-guest.sh starts it beside QEMU.  It connects to QEMU's QMP unix
 * socket and to the unix socket behind the guest's second serial port
 * (ttyS1), does the QMP capabilities handshake, then serves the guest
 * one line at a time:
 *   - a QMP command (one JSON object per line) goes to QMP, and the
 *     command's reply line comes back;
 *   - "EVENTS" comes back as one line, a JSON array of the asynchronous
 *     events QMP sent since the last "EVENTS" (at most HC_MAX_EVENTS, the
 *     newest), so the guest can wait for one such as DEVICE_DELETED.
 * Lines that are neither are logged and dropped.  Every request, reply
 * and event is logged on stderr.  It exits when either socket closes
 * (QEMU went away), and gives up connecting when QEMU_PID is gone or
 * HC_CONNECT_MS passed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define HC_LINE_MAX	65536	/* longest line either side may send */
#define HC_MAX_EVENTS	64
#define HC_CONNECT_MS	30000
#define HC_HANDSHAKE_MS	10000
#define HC_WRITE_MS	10000	/* a peer that takes no bytes this long is stuck */

struct hc_conn {
	const char *name;
	int fd;
	char buf[HC_LINE_MAX];
	size_t len;
};

static pid_t hc_qemu_pid;
/* A socket closed under a write: QEMU went away, which ends the job. */
static int hc_gone;
static char *hc_events[HC_MAX_EVENTS];
static unsigned int hc_event_count;

static void hc_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void hc_log(const char *fmt, ...)
{
	va_list ap;

	fputs("npu-hostctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static long long hc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int hc_qemu_alive(void)
{
	return !hc_qemu_pid || !kill(hc_qemu_pid, 0) || errno == EPERM;
}

/* QEMU creates its sockets at start-up: retry until they accept. */
static int hc_connect(const char *path)
{
	struct sockaddr_un addr;
	long long deadline = hc_now_ms() + HC_CONNECT_MS;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		hc_log("socket path too long: %s", path);
		return -1;
	}
	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	strcpy(addr.sun_path, path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0) {
			hc_log("socket: %s", strerror(errno));
			return -1;
		}
		if (!connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
			return fd;
		close(fd);
		if (errno != ENOENT && errno != ECONNREFUSED) {
			hc_log("connect %s: %s", path, strerror(errno));
			return -1;
		}
		if (!hc_qemu_alive()) {
			hc_log("QEMU (pid %d) exited before %s accepted", (int)hc_qemu_pid, path);
			return -1;
		}
		if (hc_now_ms() > deadline) {
			hc_log("%s did not accept a connection in %d s", path, HC_CONNECT_MS / 1000);
			return -1;
		}
		usleep(50000);
	}
}

static int hc_write_all(struct hc_conn *c, const char *data, size_t len)
{
	while (len) {
		struct pollfd p = { .fd = c->fd, .events = POLLOUT };
		ssize_t n;
		int ret = poll(&p, 1, HC_WRITE_MS);

		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0) {
			hc_log("%s: %s", c->name, ret ? strerror(errno) : "write stalled");
			return -1;
		}
		n = write(c->fd, data, len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			hc_gone = errno == EPIPE || errno == ECONNRESET;
			hc_log("%s: write: %s%s", c->name, strerror(errno),
			       hc_gone ? ": QEMU is gone" : "");
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int hc_send_line(struct hc_conn *c, const char *line)
{
	return hc_write_all(c, line, strlen(line)) || hc_write_all(c, "\n", 1) ? -1 : 0;
}

/*
 * Read what is there into c->buf: 1 when something came, 0 at the end
 * of the stream, -1 on an error or a line longer than the buffer.
 */
static int hc_fill(struct hc_conn *c)
{
	ssize_t n;

	if (c->len == sizeof(c->buf)) {
		hc_log("%s: line longer than %d bytes", c->name, HC_LINE_MAX);
		return -1;
	}
	do
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		hc_log("%s: read: %s", c->name, strerror(errno));
		return -1;
	}
	c->len += (size_t)n;
	return n > 0;
}

/* Take the next complete line out of c->buf into line (NUL-terminated, no CR/LF); 1 if one was there. */
static int hc_take_line(struct hc_conn *c, char *line)
{
	char *nl = memchr(c->buf, '\n', c->len);
	size_t n;

	if (!nl)
		return 0;
	n = (size_t)(nl - c->buf);
	memcpy(line, c->buf, n);
	line[n] = '\0';
	if (n && line[n - 1] == '\r')
		line[n - 1] = '\0';
	c->len -= n + 1;
	memmove(c->buf, nl + 1, c->len);
	return 1;
}

/*
 * Does the JSON object on this line have `key` at its top level?  QMP
 * orders keys by hash, so an event is told from a reply by its "event"
 * key, wherever it is.
 */
static int hc_top_level_key(const char *line, const char *key)
{
	size_t klen = strlen(key);
	int depth = 0;
	const char *p;

	for (p = line; *p; p++) {
		if (*p == '"') {
			const char *start = ++p;

			while (*p && *p != '"') {
				if (*p == '\\' && p[1])
					p++;
				p++;
			}
			if (!*p)
				return 0;
			if (depth == 1 && (size_t)(p - start) == klen && !strncmp(start, key, klen)) {
				const char *q = p + 1;

				while (*q == ' ')
					q++;
				if (*q == ':')
					return 1;
			}
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			depth--;
		}
	}
	return 0;
}

static void hc_keep_event(const char *line)
{
	char *copy = strdup(line);

	if (!copy) {
		hc_log("out of memory: event dropped");
		return;
	}
	if (hc_event_count == HC_MAX_EVENTS) {
		free(hc_events[0]);
		memmove(hc_events, hc_events + 1, (HC_MAX_EVENTS - 1) * sizeof(hc_events[0]));
		hc_event_count--;
	}
	hc_events[hc_event_count++] = copy;
}

/* The kept events as one JSON array line, then forget them. */
static int hc_send_events(struct hc_conn *serial)
{
	unsigned int i;
	int ret;

	ret = hc_write_all(serial, "[", 1);
	for (i = 0; i < hc_event_count && !ret; i++) {
		if (i)
			ret = hc_write_all(serial, ",", 1);
		if (!ret)
			ret = hc_write_all(serial, hc_events[i], strlen(hc_events[i]));
	}
	if (!ret)
		ret = hc_write_all(serial, "]\n", 2);
	for (i = 0; i < hc_event_count; i++)
		free(hc_events[i]);
	hc_event_count = 0;
	return ret;
}

/* Wait up to ms for the next QMP line that is not an event; 0 or -1. */
static int hc_qmp_reply(struct hc_conn *qmp, char *line, int ms)
{
	long long deadline = hc_now_ms() + ms;

	for (;;) {
		struct pollfd p = { .fd = qmp->fd, .events = POLLIN };
		long long left;
		int ret;

		while (hc_take_line(qmp, line)) {
			if (!hc_top_level_key(line, "event"))
				return 0;
			hc_log("event: %s", line);
			hc_keep_event(line);
		}
		left = deadline - hc_now_ms();
		if (left <= 0) {
			hc_log("QMP: no reply in %d ms", ms);
			return -1;
		}
		ret = poll(&p, 1, (int)left);
		if (ret < 0 && errno != EINTR) {
			hc_log("QMP: poll: %s", strerror(errno));
			return -1;
		}
		if (ret > 0 && hc_fill(qmp) <= 0) {
			hc_log("QMP: closed during the handshake");
			return -1;
		}
	}
}

static int hc_handshake(struct hc_conn *qmp, char *line)
{
	if (hc_qmp_reply(qmp, line, HC_HANDSHAKE_MS))
		return -1;
	if (!hc_top_level_key(line, "QMP")) {
		hc_log("QMP: unexpected greeting: %s", line);
		return -1;
	}
	if (hc_send_line(qmp, "{\"execute\": \"qmp_capabilities\"}") ||
	    hc_qmp_reply(qmp, line, HC_HANDSHAKE_MS))
		return -1;
	if (!hc_top_level_key(line, "return")) {
		hc_log("QMP: qmp_capabilities refused: %s", line);
		return -1;
	}
	return 0;
}

/* One line from the guest. */
static int hc_request(struct hc_conn *qmp, struct hc_conn *serial, const char *line)
{
	if (!line[0])
		return 0;
	if (!strcmp(line, "EVENTS"))
		return hc_send_events(serial);
	/* Anything else that reached the port (boot noise) must not reach QMP. */
	if (line[0] != '{') {
		hc_log("guest: not a JSON object, ignored: %s", line);
		return 0;
	}
	hc_log("guest: %s", line);
	return hc_send_line(qmp, line);
}

/* One line from QMP: a reply goes to the guest, an event is kept. */
static int hc_from_qmp(struct hc_conn *serial, const char *line)
{
	if (hc_top_level_key(line, "event")) {
		hc_log("event: %s", line);
		hc_keep_event(line);
		return 0;
	}
	hc_log("reply: %s", line);
	return hc_send_line(serial, line);
}

static int hc_serve(struct hc_conn *qmp, struct hc_conn *serial, char *line)
{
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = qmp->fd, .events = POLLIN },
			{ .fd = serial->fd, .events = POLLIN },
		};
		int ret = poll(p, 2, -1);

		if (ret < 0) {
			if (errno == EINTR)
				continue;
			hc_log("poll: %s", strerror(errno));
			return -1;
		}
		if (p[0].revents) {
			ret = hc_fill(qmp);
			if (ret <= 0) {
				if (!ret)
					hc_log("QMP closed: QEMU is gone");
				return ret;
			}
			while (hc_take_line(qmp, line))
				if (hc_from_qmp(serial, line))
					return -1;
		}
		if (p[1].revents) {
			ret = hc_fill(serial);
			if (ret <= 0) {
				if (!ret)
					hc_log("serial closed: QEMU is gone");
				return ret;
			}
			while (hc_take_line(serial, line))
				if (hc_request(qmp, serial, line))
					return -1;
		}
	}
}

int main(int argc, char **argv)
{
	static struct hc_conn qmp = { .name = "QMP", .fd = -1 };
	static struct hc_conn serial = { .name = "serial", .fd = -1 };
	static char line[HC_LINE_MAX + 1];
	int opt, ret;

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p')
			goto usage;
		hc_qemu_pid = (pid_t)atoi(optarg);
	}
	if (argc - optind != 2)
		goto usage;
	/* A closed socket is an error return from write, not a signal. */
	signal(SIGPIPE, SIG_IGN);

	qmp.fd = hc_connect(argv[optind]);
	if (qmp.fd < 0)
		return 1;
	serial.fd = hc_connect(argv[optind + 1]);
	if (serial.fd < 0)
		return 1;
	if (hc_handshake(&qmp, line))
		return 1;
	hc_log("connected to QMP %s and serial %s", argv[optind], argv[optind + 1]);
	ret = hc_serve(&qmp, &serial, line);
	close(serial.fd);
	close(qmp.fd);
	return ret && !hc_gone ? 1 : 0;

usage:
	fprintf(stderr, "usage: npu-hostctl [-p QEMU_PID] QMP_SOCKET SERIAL_SOCKET\n");
	return 2;
}
