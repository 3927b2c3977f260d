/* One getaddrinfo() call, as an application in a pod makes it: any family,
 * no AI_ADDRCONFIG (the namespace has only loopback), the canonical name
 * asked for so that the name the walk stopped on can be seen. Prints
 * `ok CANON` and one `addr ADDRESS` line per address, or `error EAI_…`.
 * Built against glibc (gcc) and musl (musl-gcc, zig cc) by the libc_walk
 * test. */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct addrinfo hints, *res = 0, *p;
	if (argc != 2) {
		fprintf(stderr, "usage: gai NAME\n");
		return 2;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	int rc = getaddrinfo(argv[1], 0, &hints, &res);
	if (rc) {
		const char *n = "EAI_OTHER";
		switch (rc) {
		case EAI_NONAME: n = "EAI_NONAME"; break;
		case EAI_AGAIN: n = "EAI_AGAIN"; break;
		case EAI_FAIL: n = "EAI_FAIL"; break;
#ifdef EAI_NODATA
		case EAI_NODATA: n = "EAI_NODATA"; break;
#endif
		case EAI_SYSTEM: n = "EAI_SYSTEM"; break;
		}
		printf("error %s\n", n);
		if (!strcmp(n, "EAI_OTHER"))
			printf("code %d\n", rc);
		return 0;
	}
	printf("ok %s\n", res->ai_canonname ? res->ai_canonname : "");
	for (p = res; p; p = p->ai_next) {
		char buf[INET6_ADDRSTRLEN];
		const void *a = p->ai_family == AF_INET
			? (const void *)&((struct sockaddr_in *)p->ai_addr)->sin_addr
			: (const void *)&((struct sockaddr_in6 *)p->ai_addr)->sin6_addr;
		inet_ntop(p->ai_family, a, buf, sizeof buf);
		printf("addr %s\n", buf);
	}
	freeaddrinfo(res);
	return 0;
}
