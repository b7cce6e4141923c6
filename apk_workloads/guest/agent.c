/*
 * asuite-agent: the guest side of android_suite's real-kernel (QEMU) handset.
 *
 * Listens on TCP port 7100 (QEMU user networking forwards one loopback port
 * of the host to it) and serves requests framed both ways as an ASCII header
 * "<WORD> <LEN>\n" followed by exactly LEN payload bytes. The host client is
 * android_suite/virtual/qemu/agent.py; the ops (see kernel_config/README.md, QEMU):
 *   P ping, R read, W write, L list, X exec+wait, S spawn, K kill, D shutdown.
 * Replies: "<status> <LEN>\n<payload>" where status is 0, an errno, or for X
 * the exit code (128+signal when killed).
 *
 * One forked handler per connection keeps a slow exec on one connection from
 * blocking a ping on another; the handler serves requests one at a time.
 * An exec is killed (its whole process group) when the client hangs up, so a
 * client-side deadline really ends the command.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PORT 7100
#define MAX_REQUEST (64u << 20) /* a pushed file may be large; refuse absurd lengths */

struct buf {
	char *data;
	size_t len, cap;
};

static int buf_add(struct buf *b, const void *src, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p)
			return -1;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, src, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int write_all(int fd, const void *src, size_t n)
{
	const char *p = src;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, void *dst, size_t n)
{
	char *p = dst;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static int reply(int fd, long status, const void *payload, size_t len)
{
	char head[64];
	int n = snprintf(head, sizeof head, "%ld %zu\n", status, len);
	if (write_all(fd, head, (size_t)n) < 0)
		return -1;
	return len ? write_all(fd, payload, len) : 0;
}

/* Header: up to 32 bytes, "<WORD> <LEN>\n". Returns 0, or -1 on EOF/garbage. */
static int read_header(int fd, char *op, size_t *len)
{
	char line[40];
	size_t i = 0;
	for (;;) {
		if (i + 1 >= sizeof line || read_all(fd, line + i, 1) < 0)
			return -1;
		if (line[i] == '\n')
			break;
		i++;
	}
	line[i] = '\0';
	char *end;
	if (i < 3 || line[1] != ' ')
		return -1;
	unsigned long v = strtoul(line + 2, &end, 10);
	if (*end != '\0' || v > MAX_REQUEST)
		return -1;
	*op = line[0];
	*len = v;
	return 0;
}

/* Split a "\0"-joined payload into a NULL-terminated argv (payload is NUL-terminated too). */
static char **split_argv(char *payload, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += payload[i] == '\0';
	char **argv = calloc(n + 2, sizeof *argv);
	if (!argv)
		return NULL;
	size_t k = 0;
	/* "a\0b" is {"a", "b"}; a trailing "\0" means a last, empty argument. */
	for (char *p = payload; len && p <= payload + len; p += strlen(p) + 1)
		argv[k++] = p;
	argv[k] = NULL;
	return argv;
}

static void op_read(int fd, const char *path)
{
	struct buf b = {0};
	int in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		reply(fd, errno, NULL, 0);
		return;
	}
	char chunk[65536];
	for (;;) {
		ssize_t r = read(in, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			close(in);
			free(b.data);
			reply(fd, e, NULL, 0);
			return;
		}
		if (r == 0 || buf_add(&b, chunk, (size_t)r) < 0)
			break;
	}
	close(in);
	reply(fd, 0, b.data, b.len);
	free(b.data);
}

static void op_write(int fd, char *payload, size_t len)
{
	size_t plen = strnlen(payload, len);
	if (plen == len) {
		reply(fd, EINVAL, NULL, 0);
		return;
	}
	/* One write() like `echo > /sys/...`: sysfs/procfs take the value from a single write. */
	int out = open(payload, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0644);
	if (out < 0) {
		reply(fd, errno, NULL, 0);
		return;
	}
	const char *data = payload + plen + 1;
	size_t n = len - plen - 1;
	ssize_t w = n ? write(out, data, n) : 0;
	int e = w < 0 ? errno : ((size_t)w != n ? EIO : 0);
	if (close(out) < 0 && !e)
		e = errno;
	reply(fd, e, NULL, 0);
}

static void op_list(int fd, const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		reply(fd, errno, NULL, 0);
		return;
	}
	struct buf b = {0};
	int first = 1;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (!first)
			buf_add(&b, "", 1);
		buf_add(&b, e->d_name, strlen(e->d_name));
		first = 0;
	}
	closedir(d);
	reply(fd, 0, b.data, b.len);
	free(b.data);
}

static void child_exec(char **argv, int out_fd)
{
	int null = open("/dev/null", O_RDWR);
	if (null >= 0)
		dup2(null, 0);
	dup2(out_fd, 1);
	dup2(out_fd, 2);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	execvp(argv[0], argv);
	dprintf(2, "asuite-agent: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void op_exec(int fd, char *payload, size_t len)
{
	char **argv = split_argv(payload, len);
	if (!argv || !argv[0] || !argv[0][0]) {
		free(argv);
		reply(fd, EINVAL, NULL, 0);
		return;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(argv);
		reply(fd, errno, NULL, 0);
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		close(pipefd[0]);
		child_exec(argv, pipefd[1]);
	}
	close(pipefd[1]);
	free(argv);
	if (pid < 0) {
		close(pipefd[0]);
		reply(fd, errno, NULL, 0);
		return;
	}
	struct buf b = {0};
	char chunk[65536];
	int hung_up = 0;
	for (;;) {
		struct pollfd p[2] = {{pipefd[0], POLLIN, 0}, {fd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents) {
			/* The client gave up (its deadline) or closed: end the command. */
			char c;
			if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
				hung_up = 1;
				kill(-pid, SIGKILL);
				break;
			}
		}
		if (p[0].revents) {
			ssize_t r = read(pipefd[0], chunk, sizeof chunk);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				break;
			buf_add(&b, chunk, (size_t)r);
		}
	}
	close(pipefd[0]);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (hung_up)
		_exit(0);
	long code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	reply(fd, code, b.data, b.len);
	free(b.data);
}

/* Double fork: the program is re-parented to init, so no zombie waits on this handler. */
static void op_spawn(int fd, char *payload, size_t len)
{
	char **argv = split_argv(payload, len);
	const char *log = "/dev/null";
	char **args = argv;
	if (argv && argv[0] && !strncmp(argv[0], "--log=", 6)) {
		log = argv[0] + 6;
		args = argv + 1;
	}
	if (!argv || !args[0] || !args[0][0]) {
		free(argv);
		reply(fd, EINVAL, NULL, 0);
		return;
	}
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(argv);
		reply(fd, errno, NULL, 0);
		return;
	}
	pid_t mid = fork();
	if (mid == 0) {
		close(pipefd[0]);
		pid_t pid = fork();
		if (pid == 0) {
			setsid();
			int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
			int null = open("/dev/null", O_RDWR);
			if (out < 0 || null < 0)
				goto fail;
			dup2(null, 0);
			dup2(out, 1);
			dup2(out, 2);
			signal(SIGPIPE, SIG_DFL);
			signal(SIGCHLD, SIG_DFL);
			execvp(args[0], args);
		fail:;
			int e = errno;
			write_all(pipefd[1], &e, sizeof e);
			_exit(127);
		}
		write_all(pipefd[1], &pid, sizeof pid);
		_exit(pid < 0);
	}
	close(pipefd[1]);
	free(argv);
	if (mid < 0) {
		close(pipefd[0]);
		reply(fd, errno, NULL, 0);
		return;
	}
	pid_t pid = -1;
	int e = 0;
	/* The pipe closes at exec (O_CLOEXEC) or carries the exec errno after the pid. */
	if (read_all(pipefd[0], &pid, sizeof pid) < 0)
		e = ECHILD;
	else if (read_all(pipefd[0], &e, sizeof e) < 0)
		e = 0;
	close(pipefd[0]);
	while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
		;
	if (e || pid <= 0) {
		reply(fd, e ? e : ECHILD, NULL, 0);
		return;
	}
	char text[32];
	int n = snprintf(text, sizeof text, "%d", (int)pid);
	reply(fd, 0, text, (size_t)n);
}

static void op_kill(int fd, const char *payload)
{
	int pid, sig;
	if (sscanf(payload, "%d %d", &pid, &sig) != 2 || pid <= 1) {
		reply(fd, EINVAL, NULL, 0);
		return;
	}
	reply(fd, kill(pid, sig) < 0 ? errno : 0, NULL, 0);
}

static void op_shutdown(int fd)
{
	reply(fd, 0, NULL, 0);
	/* Let the reply leave the guest: wait (1 s at most) for the client to hang up. */
	shutdown(fd, SHUT_WR);
	struct pollfd p = {fd, POLLIN, 0};
	char c;
	while (poll(&p, 1, 1000) > 0 && read(fd, &c, 1) > 0)
		;
	sync();
#ifdef __x86_64__
	/* The small x86 kernel has no ACPI (power-off would only halt): reboot, and
	 * QEMU, started with -no-reboot, exits instead. */
	reboot(RB_AUTOBOOT);
#else
	reboot(RB_POWER_OFF); /* PSCI SYSTEM_OFF on arm64 virt: QEMU exits */
#endif
	reboot(RB_AUTOBOOT);
	_exit(1);
}

static void serve(int fd)
{
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	for (;;) {
		char op;
		size_t len;
		if (read_header(fd, &op, &len) < 0)
			return;
		char *payload = malloc(len + 1);
		if (!payload || read_all(fd, payload, len) < 0)
			return;
		payload[len] = '\0';
		switch (op) {
		case 'P': reply(fd, 0, "pong", 4); break;
		case 'R': op_read(fd, payload); break;
		case 'W': op_write(fd, payload, len); break;
		case 'L': op_list(fd, payload); break;
		case 'X': op_exec(fd, payload, len); break;
		case 'S': op_spawn(fd, payload, len); break;
		case 'K': op_kill(fd, payload); break;
		case 'D': op_shutdown(fd); break;
		default: reply(fd, ENOSYS, NULL, 0); break;
		}
		free(payload);
	}
}

static void reap(int sig)
{
	(void)sig;
	int saved = errno;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = saved;
}

int main(int argc, char **argv)
{
	int port = argc > 1 ? atoi(argv[1]) : PORT;
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = reap, .sa_flags = SA_RESTART | SA_NOCLDSTOP};
	sigaction(SIGCHLD, &sa, NULL);
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(s, 16) < 0) {
		perror("asuite-agent: listen");
		return 1;
	}
	fprintf(stderr, "asuite-agent: listening on port %d\n", port);
	for (;;) {
		int c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		pid_t pid = fork();
		if (pid == 0) {
			close(s);
			/* The handler waits for its own exec children itself. */
			signal(SIGCHLD, SIG_DFL);
			serve(c);
			_exit(0);
		}
		close(c);
	}
}
