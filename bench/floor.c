/*
 * floor: the least work any client can do to get from one DNS server the
 * answers `hsvc resolve NAME` asks for. Its wall time, as a whole process,
 * is the benchmark's floor (bench/run.sh, bench/README.md).
 *
 *   floor [-c] [-t udp|tcp] SERVER_IP PORT NAME
 *
 * It sends exactly hsvc's questions:
 *   1. A, AAAA and SRV for NAME at once over one connected UDP socket, RD set,
 *      EDNS0 OPT with a 1232-byte payload size;
 *   2. every one of them whose reply has TC again over one TCP connection,
 *      pipelined (all frames in one write);
 *   3. A (and/or AAAA: the families NAME's own A/AAAA answers have, both
 *      when it has none) for each distinct SRV target that the SRV reply gave
 *      no glue of that family and whose first label is not a dashed IP.
 *      With -t udp (the default) they go over UDP with at most 64 in flight
 *      (hsvc's window: the server's receive buffer loses a larger burst, see
 *      UDP_WINDOW in hsvc's DNS engine); with -t tcp they are pipelined on
 *      the TCP connection of step 2 (or a new one). Which is faster depends
 *      on the server: bench/run.sh times both and takes the faster as the
 *      floor.
 *
 * Replies are only counted by their header (ID, QR, TC, ANCOUNT): nothing
 * is decoded or printed. The one exception is the SRV reply: to ask the same
 * follow-up questions the floor must know the SRV targets and which of them
 * have glue, so it walks that reply's records and expands only the SRV
 * target names and the owner names of A/AAAA additional records; nothing
 * else in any reply is looked at.
 *
 * -c prints the number of queries sent over UDP and TCP to stderr, for the
 * query-count check of bench/run.sh. Only loopback servers are accepted.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EDNS_SIZE 1232
#define UDP_WINDOW 64
#define T_A 1
#define T_AAAA 28
#define T_SRV 33
#define MAXQ 65536

struct q {
	uint8_t wire[300]; /* the query message, no length prefix */
	int len;
	uint16_t id;
	int done;
	int role; /* 0 A, 1 AAAA, 2 SRV of NAME; -1 an SRV target's address */
};

static struct q *qs;
static int nq;
static uint16_t next_id;
static int udp_sent, tcp_sent;
static struct timespec t_start;

static void die(const char *what)
{
	if (errno)
		perror(what);
	else
		fprintf(stderr, "floor: %s\n", what);
	exit(1);
}

static void check_deadline(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec - t_start.tv_sec > 10) {
		errno = 0;
		die("no complete answer within 10 s");
	}
}

/* Text name (no escapes: the benchmark's names are plain) to wire form. */
static int name_to_wire(const char *name, uint8_t *out)
{
	int n = 0;
	const char *p = name;
	while (*p) {
		const char *dot = strchr(p, '.');
		int l = dot ? (int)(dot - p) : (int)strlen(p);
		if (l == 0)
			break;
		if (l > 63 || n + l + 2 > 255) {
			errno = 0;
			die("name too long");
		}
		out[n++] = (uint8_t)l;
		memcpy(out + n, p, l);
		n += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[n++] = 0;
	return n;
}

static int wire_len(const uint8_t *w)
{
	int n = 0;
	while (w[n])
		n += w[n] + 1;
	return n + 1;
}

/* Adds a question; `wname` is an uncompressed wire name. */
static int add_query(const uint8_t *wname, uint16_t qtype, int role)
{
	if (nq >= MAXQ) {
		errno = 0;
		die("too many questions");
	}
	struct q *q = &qs[nq];
	uint8_t *m = q->wire;
	int nl = wire_len(wname);
	q->id = next_id++;
	m[0] = q->id >> 8;
	m[1] = q->id & 0xff;
	m[2] = 0x01; /* RD */
	m[3] = 0;
	m[4] = 0, m[5] = 1;   /* QDCOUNT */
	m[6] = m[7] = 0;      /* ANCOUNT */
	m[8] = m[9] = 0;      /* NSCOUNT */
	m[10] = 0, m[11] = 1; /* ARCOUNT: OPT */
	memcpy(m + 12, wname, nl);
	int n = 12 + nl;
	m[n++] = qtype >> 8;
	m[n++] = qtype & 0xff;
	m[n++] = 0, m[n++] = 1; /* IN */
	/* OPT: root owner, type 41, class = payload size, TTL 0, no RDATA */
	m[n++] = 0;
	m[n++] = 0, m[n++] = 41;
	m[n++] = EDNS_SIZE >> 8, m[n++] = EDNS_SIZE & 0xff;
	m[n++] = 0, m[n++] = 0, m[n++] = 0, m[n++] = 0;
	m[n++] = 0, m[n++] = 0;
	q->len = n;
	q->done = 0;
	q->role = role;
	return nq++;
}

/* The question a reply answers, by ID among [from, to); -1 if none/duplicate. */
static int match(const uint8_t *r, int len, int from, int to)
{
	if (len < 12 || !(r[2] & 0x80))
		return -1;
	uint16_t id = (uint16_t)(r[0] << 8 | r[1]);
	int i = from + (uint16_t)(id - qs[from].id);
	if (i < from || i >= to || qs[i].done)
		return -1;
	return i;
}

/* ---- minimal walk of the SRV reply --------------------------------------- */

/* Skips a (possibly compressed) name at `o`; returns the offset after it. */
static int skip_name(const uint8_t *m, int len, int o)
{
	while (o < len) {
		uint8_t l = m[o];
		if (l == 0)
			return o + 1;
		if ((l & 0xc0) == 0xc0)
			return o + 2;
		o += l + 1;
	}
	return -1;
}

/* Expands the name at `o` into lower-case uncompressed wire form. */
static int expand_name(const uint8_t *m, int len, int o, uint8_t *out)
{
	int n = 0, hops = 0;
	while (o < len) {
		uint8_t l = m[o];
		if ((l & 0xc0) == 0xc0) {
			if (o + 1 >= len || ++hops > 64)
				return -1;
			o = (l & 0x3f) << 8 | m[o + 1];
			continue;
		}
		if (l == 0) {
			out[n++] = 0;
			return n;
		}
		if (o + 1 + l > len || n + l + 2 > 255)
			return -1;
		out[n++] = l;
		for (int i = 0; i < l; i++)
			out[n++] = (uint8_t)tolower(m[o + 1 + i]);
		o += l + 1;
	}
	return -1;
}

struct target {
	uint8_t name[256];
	int used, glue4, glue6, dashed;
};

static struct target *tt; /* open-addressing hash set */
static unsigned tt_cap;
static int *order, norder;

static unsigned hash_name(const uint8_t *w, int n)
{
	unsigned h = 2166136261u;
	for (int i = 0; i < n; i++)
		h = (h ^ w[i]) * 16777619u;
	return h;
}

static struct target *find(const uint8_t *w, int n, int insert)
{
	unsigned i = hash_name(w, n) & (tt_cap - 1);
	for (;; i = (i + 1) & (tt_cap - 1)) {
		struct target *t = &tt[i];
		if (!t->used) {
			if (!insert)
				return NULL;
			t->used = 1;
			memcpy(t->name, w, n);
			order[norder++] = (int)i;
			return t;
		}
		if (memcmp(t->name, w, n) == 0)
			return t;
	}
}

/* hsvc's rule (name::dashed_ip): a first label naming an IPv4 or IPv6 address
 * with `-` for `.` or `:` (a trailing `0` appended after a final `-`). */
static int is_dashed(const uint8_t *w)
{
	char s[64], d[64];
	int l = w[0];
	memcpy(s, w + 1, l);
	s[l] = 0;
	if (!strchr(s, '-'))
		return 0;
	int dashes = 0;
	for (int i = 0; i < l; i++)
		dashes += s[i] == '-';
	uint8_t buf[16];
	if (dashes == 3 && !strstr(s, "--")) {
		for (int i = 0; i <= l; i++)
			d[i] = s[i] == '-' ? '.' : s[i];
		if (inet_pton(AF_INET, d, buf) == 1)
			return 1;
	}
	for (int i = 0; i <= l; i++)
		d[i] = s[i] == '-' ? ':' : s[i];
	if (inet_pton(AF_INET6, d, buf) == 1)
		return 1;
	if (l > 0 && d[l - 1] == '0') {
		d[l - 1] = 0;
		if (inet_pton(AF_INET6, d, buf) == 1)
			return 1;
	}
	return 0;
}

static void walk_srv(const uint8_t *m, int len)
{
	if (len < 12)
		return;
	int an = m[6] << 8 | m[7], ns = m[8] << 8 | m[9], ar = m[10] << 8 | m[11];
	tt_cap = 1;
	while (tt_cap < 2u * (unsigned)(an + 1))
		tt_cap <<= 1;
	tt = calloc(tt_cap, sizeof *tt);
	order = calloc(tt_cap, sizeof *order);
	int o = skip_name(m, len, 12);
	if (o < 0)
		return;
	o += 4;
	uint8_t w[256];
	for (int s = 0; s < an + ns + ar; s++) {
		int owner = o;
		o = skip_name(m, len, o);
		if (o < 0 || o + 10 > len)
			return;
		int type = m[o] << 8 | m[o + 1];
		int rdlen = m[o + 8] << 8 | m[o + 9];
		int rd = o + 10;
		o = rd + rdlen;
		if (o > len)
			return;
		if (s < an && type == T_SRV && rdlen > 6) {
			int n = expand_name(m, len, rd + 6, w);
			if (n > 1) {
				struct target *t = find(w, n, 1);
				t->dashed = is_dashed(w);
			}
		} else if (s >= an + ns && (type == T_A || type == T_AAAA)) {
			int n = expand_name(m, len, owner, w);
			struct target *t = n > 0 ? find(w, n, 0) : NULL;
			if (t) {
				if (type == T_A)
					t->glue4 = 1;
				else
					t->glue6 = 1;
			}
		}
	}
}

/* ---- transports ------------------------------------------------------------ */

static int udp_fd = -1, tcp_fd = -1;
static struct sockaddr_storage server;
static socklen_t server_len;

static uint8_t *rbuf; /* TCP receive buffer */
static int rlen;
#define RBUF (1 << 20)

/* What the replies to NAME's own questions tell: TC and ANCOUNT by role,
 * and the latest SRV reply (a TCP retry replaces the truncated UDP one). */
static uint8_t *srv_reply;
static int srv_reply_len;
static int tc[3], ancount[3];

static void on_reply(int i, const uint8_t *r, int len)
{
	int role = qs[i].role;
	qs[i].done = 1;
	if (role < 0)
		return;
	tc[role] = (r[2] & 0x02) != 0;
	ancount[role] = r[6] << 8 | r[7];
	if (role == 2) {
		free(srv_reply);
		srv_reply = malloc(len);
		memcpy(srv_reply, r, len);
		srv_reply_len = len;
	}
}

/* Sends questions [from, to) over UDP, at most `window` in flight, and waits
 * for every reply; a datagram lost in a burst is sent again after 200 ms. */
static void udp_round(int from, int to, int window)
{
	enum { B = 64 };
	static uint8_t bufs[B][4096];
	struct mmsghdr out[B], in[B];
	struct iovec oiov[B], iiov[B];
	for (int k = 0; k < B; k++) {
		iiov[k].iov_base = bufs[k];
		iiov[k].iov_len = sizeof bufs[k];
		memset(&in[k], 0, sizeof in[k]);
		in[k].msg_hdr.msg_iov = &iiov[k];
		in[k].msg_hdr.msg_iovlen = 1;
	}
	int next = from, pending = 0, left = to - from;
	while (left > 0) {
		int k = 0;
		while (pending < window && next < to && k < B) {
			oiov[k].iov_base = qs[next].wire;
			oiov[k].iov_len = qs[next].len;
			memset(&out[k], 0, sizeof out[k]);
			out[k].msg_hdr.msg_iov = &oiov[k];
			out[k].msg_hdr.msg_iovlen = 1;
			k++, next++, pending++;
		}
		for (int s = 0; s < k;) {
			int r = sendmmsg(udp_fd, out + s, k - s, 0);
			if (r < 0)
				die("sendmmsg");
			s += r;
		}
		udp_sent += k;
		struct pollfd p = {udp_fd, POLLIN, 0};
		int r = poll(&p, 1, 200);
		if (r < 0)
			die("poll");
		if (r == 0) { /* resend what is still in flight */
			check_deadline();
			for (int i = from; i < next; i++)
				if (!qs[i].done) {
					send(udp_fd, qs[i].wire, qs[i].len, 0);
					udp_sent++;
				}
			continue;
		}
		int got = recvmmsg(udp_fd, in, B, MSG_DONTWAIT, NULL);
		if (got < 0) {
			if (errno == EAGAIN)
				continue;
			die("recvmmsg");
		}
		for (int g = 0; g < got; g++) {
			int i = match(bufs[g], (int)in[g].msg_len, from, to);
			if (i < 0)
				continue;
			on_reply(i, bufs[g], (int)in[g].msg_len);
			pending--, left--;
		}
	}
}

static void tcp_open(void)
{
	tcp_fd = socket(server.ss_family, SOCK_STREAM, 0);
	if (tcp_fd < 0)
		die("socket");
	int one = 1;
	setsockopt(tcp_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(tcp_fd, (struct sockaddr *)&server, server_len) < 0)
		die("connect tcp");
	rbuf = malloc(RBUF);
}

static void write_all(const uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(tcp_fd, b, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		b += w, n -= (size_t)w;
	}
}

/* Sends the questions listed in idx[] pipelined on the TCP connection (all
 * frames in one write) and reads frames until every one is answered. */
static void tcp_round(const int *idx, int n)
{
	if (n == 0)
		return;
	if (tcp_fd < 0)
		tcp_open();
	size_t total = 0;
	for (int k = 0; k < n; k++)
		total += 2 + qs[idx[k]].len;
	uint8_t *out = malloc(total), *p = out;
	for (int k = 0; k < n; k++) {
		struct q *q = &qs[idx[k]];
		*p++ = q->len >> 8;
		*p++ = q->len & 0xff;
		memcpy(p, q->wire, q->len);
		p += q->len;
	}
	write_all(out, total);
	free(out);
	tcp_sent += n;
	int left = n, from = idx[0], to = idx[n - 1] + 1;
	while (left > 0) {
		struct pollfd pf = {tcp_fd, POLLIN, 0};
		if (poll(&pf, 1, 1000) == 0)
			check_deadline();
		ssize_t r = read(tcp_fd, rbuf + rlen, RBUF - rlen);
		/* ACK at once: a server that writes each reply on its own (with
		 * Nagle) otherwise waits for our delayed ACK, 40 ms per stall. */
		int one = 1;
		setsockopt(tcp_fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
		if (r < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("read");
		}
		if (r == 0) {
			errno = 0;
			die("server closed the TCP connection");
		}
		rlen += (int)r;
		int o = 0;
		while (rlen - o >= 2) {
			int fl = rbuf[o] << 8 | rbuf[o + 1];
			if (rlen - o - 2 < fl)
				break;
			int i = match(rbuf + o + 2, fl, from, to);
			if (i >= 0) {
				on_reply(i, rbuf + o + 2, fl);
				left--;
			}
			o += 2 + fl;
		}
		memmove(rbuf, rbuf + o, rlen - o);
		rlen -= o;
	}
}

int main(int argc, char **argv)
{
	int count = 0, targets_tcp = -1, c;
	while ((c = getopt(argc, argv, "ct:")) != -1) {
		if (c == 'c')
			count = 1;
		else if (c == 't')
			targets_tcp = strcmp(optarg, "tcp") == 0;
		else
			return 2;
	}
	if (argc - optind != 3) {
		fprintf(stderr, "usage: floor [-c] [-t udp|tcp] SERVER_IP PORT NAME\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t_start);
	const char *ip = argv[optind], *name = argv[optind + 2];
	int port = atoi(argv[optind + 1]);
	memset(&server, 0, sizeof server);
	struct sockaddr_in *s4 = (struct sockaddr_in *)&server;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&server;
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		server_len = sizeof *s4;
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127) {
			errno = 0;
			die("loopback servers only");
		}
	} else if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		server_len = sizeof *s6;
		if (!IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) {
			errno = 0;
			die("loopback servers only");
		}
	} else {
		errno = 0;
		die("bad server address");
	}
	qs = malloc(sizeof *qs * MAXQ);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	next_id = (uint16_t)(ts.tv_nsec ^ getpid());

	udp_fd = socket(server.ss_family, SOCK_DGRAM, 0);
	if (udp_fd < 0 || connect(udp_fd, (struct sockaddr *)&server, server_len) < 0)
		die("udp");

	/* 1. A, AAAA, SRV at once over UDP. */
	static const uint16_t types[3] = {T_A, T_AAAA, T_SRV};
	uint8_t wname[256];
	name_to_wire(name, wname);
	for (int r = 0; r < 3; r++)
		add_query(wname, types[r], r);
	udp_round(0, 3, 3);

	/* 2. The truncated ones again, pipelined on one TCP connection (new
	 * IDs, as hsvc's TCP retry is a new message). */
	int idx[3], n = 0;
	for (int r = 0; r < 3; r++)
		if (tc[r])
			idx[n++] = add_query(wname, types[r], r);
	tcp_round(idx, n);

	/* 3. Address lookups for SRV targets without glue, in the families
	 * NAME's own answers have (both when neither has records). */
	int v4 = ancount[0] > 0, v6 = ancount[1] > 0;
	if (!v4 && !v6)
		v4 = v6 = 1;
	if (srv_reply)
		walk_srv(srv_reply, srv_reply_len);
	int first = nq;
	for (int k = 0; k < norder; k++) {
		struct target *t = &tt[order[k]];
		if (t->dashed)
			continue;
		if (v4 && !t->glue4)
			add_query(t->name, T_A, -1);
		if (v6 && !t->glue6)
			add_query(t->name, T_AAAA, -1);
	}
	if (nq > first) {
		if (targets_tcp == 1) {
			int *all = malloc(sizeof *all * (nq - first));
			for (int i = first; i < nq; i++)
				all[i - first] = i;
			tcp_round(all, nq - first);
		} else {
			udp_round(first, nq, UDP_WINDOW);
		}
	}
	if (count)
		fprintf(stderr, "floor: %d queries (%d over UDP, %d over TCP)\n",
			udp_sent + tcp_sent, udp_sent, tcp_sent);
	return 0;
}
