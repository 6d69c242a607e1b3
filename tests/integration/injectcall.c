/*
 * nutsec tests - injectcall.c: makes a running process execute one system
 * call of our choosing, the way an attacker who took over its code would,
 * and prints what came of it. Used by 306-sandbox-privileges.sh to try
 * forbidden calls from inside the sandboxed daemons; needs no debugger.
 *
 *   injectcall PID CALL [ARG...]
 *
 * CALL is a name from the table below or a syscall number; each ARG is an
 * integer (strtoll base 0: 0101 is octal, -100 is AT_FDCWD) or s:TEXT, a
 * string copied onto the target's stack (below the red zone, put back
 * afterwards). On stdout:
 *   return N        the call returned N
 *   error N         the call failed with errno N
 *   signal SIGSYS   (after one of those) a trapping filter refused the call:
 *                   the process handles that signal once detached
 *   killed by SIG   the process died of a signal during the call
 *   exited N        the process exited during the call
 * Exit status: 0 call made and process restored, 1 process gone, 2 error
 * (stderr names it), 77 cannot trace here (not x86-64 Linux, or Yama).
 *
 * How (x86-64 Linux): PTRACE_SEIZE + PTRACE_INTERRUPT stop the process,
 * its registers are saved; RIP is pointed at a `syscall` instruction (the
 * one the process is blocked in, else one found in its vdso or text), the
 * call number and arguments go in RAX, RDI, RSI, RDX, R10, R8, R9, and
 * orig_rax = -1 keeps the kernel from restarting the interrupted call.
 * PTRACE_SYSCALL runs to the entry stop (checked) and to the exit stop
 * (RAX = result). Then the process is interrupted once more, so that it
 * stops where it first stopped (a ptrace event stop, before returning to
 * user space); the saved registers and stack words go back and it is
 * detached: the kernel then restarts the call it was blocked in, as after
 * any stop. Floating-point state is not touched (a syscall leaves it).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#if defined(__linux__) && defined(__x86_64__) && !defined(__ILP32__)

#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#define ARGS_MAX 6
#define STR_MAX 4096		/* bytes of one s:TEXT argument, NUL included */
#define WORDS_MAX 1100		/* stack words saved and restored (8.8 KB) */
#define RED_ZONE 128		/* bytes below RSP the interrupted code may use */
#define SCAN_MAX (4u << 20)	/* bytes of text searched for a syscall */
#define SIGS_MAX 16		/* signals held back during the call */
#define TIMEOUT 30		/* seconds before giving up */

static const struct {
	const char *name;
	long nr;
} calls[] = {
	{ "getpid", SYS_getpid },
	{ "open", SYS_open },
	{ "openat", SYS_openat },
	{ "socket", SYS_socket },
	{ "close", SYS_close },
	{ "write", SYS_write },
	{ "kill", SYS_kill },
};

static pid_t pid;
static struct {			/* stack words overwritten by string arguments */
	unsigned long addr[WORDS_MAX];
	unsigned long old[WORDS_MAX];
	size_t n;
} saved_words;
static int held[SIGS_MAX];	/* signals that arrived during the call */
static size_t nheld;

static void
on_alarm(int sig)
{
	static const char msg[] = "injectcall: no answer from the process in time\n";

	(void)sig;
	(void)!write(2, msg, sizeof(msg) - 1);
	_exit(2);
}

static const char *
signame(int sig, char *buf, size_t len)
{
	if (sig == SIGSYS)
		return "SIGSYS";
	if (sig == SIGKILL)
		return "SIGKILL";
	if (sig == SIGSEGV)
		return "SIGSEGV";
	(void)snprintf(buf, len, "signal %d", sig);
	return buf;
}

/* Prints how the process ended (status from waitpid); returns 1. */
static int
report_end(int st)
{
	char b[32];

	if (WIFSIGNALED(st))
		printf("killed by %s\n", signame(WTERMSIG(st), b, sizeof(b)));
	else
		printf("exited %d\n", WEXITSTATUS(st));
	return 1;
}

/*
 * Waits for the next stop. Returns 0 with *st set, 1 when the process is
 * gone (reported), -1 on error. Asynchronous signals that arrive while we
 * drive the process are held back (re-sent after the detach) when hold is
 * set, else passed on.
 */
static int
next_stop(int *st, int hold)
{
	for (;;) {
		if (waitpid(pid, st, __WALL) < 0) {
			fprintf(stderr, "injectcall: waitpid %ld: %s\n", (long)pid, strerror(errno));
			return -1;
		}
		if (WIFEXITED(*st) || WIFSIGNALED(*st))
			return report_end(*st);
		if (!WIFSTOPPED(*st))
			continue;
		int sig = WSTOPSIG(*st);
		/* event stops and syscall stops are ours; others deliver a signal */
		if ((*st >> 16) != 0 || sig == (SIGTRAP | 0x80))
			return 0;
		if (hold && nheld < SIGS_MAX) {
			held[nheld++] = sig;
			sig = 0;
		}
		if (ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig) != 0) {
			fprintf(stderr, "injectcall: PTRACE_CONT: %s\n", strerror(errno));
			return -1;
		}
	}
}

/* Resumes with req and waits for the next stop; as next_stop. */
static int
step(enum __ptrace_request req, int *st)
{
	if (ptrace(req, pid, 0, 0) != 0) {
		fprintf(stderr, "injectcall: ptrace resume: %s\n", strerror(errno));
		return -1;
	}
	return next_stop(st, 1);
}

static int
peek(unsigned long addr, unsigned long *word)
{
	errno = 0;
	long w = ptrace(PTRACE_PEEKDATA, pid, (void *)addr, 0);
	if (errno != 0)
		return -1;
	*word = (unsigned long)w;
	return 0;
}

static int
poke(unsigned long addr, unsigned long word)
{
	if (saved_words.n >= WORDS_MAX) {
		fprintf(stderr, "injectcall: string arguments too long\n");
		return -1;
	}
	if (peek(addr, &saved_words.old[saved_words.n]) != 0 ||
	    ptrace(PTRACE_POKEDATA, pid, (void *)addr, (void *)word) != 0) {
		fprintf(stderr, "injectcall: writing the stack at %#lx: %s\n", addr,
		    strerror(errno));
		return -1;
	}
	saved_words.addr[saved_words.n++] = addr;
	return 0;
}

static void
unpoke(void)
{
	while (saved_words.n > 0) {
		saved_words.n--;
		(void)ptrace(PTRACE_POKEDATA, pid, (void *)saved_words.addr[saved_words.n],
		    (void *)saved_words.old[saved_words.n]);
	}
}

/* Copies s (with its NUL) below *sp, 16-aligned; returns its address or 0. */
static unsigned long
push_string(unsigned long *sp, const char *s)
{
	size_t len = strlen(s) + 1;
	unsigned long at;

	if (len > STR_MAX) {
		fprintf(stderr, "injectcall: string argument longer than %d bytes\n", STR_MAX - 1);
		return 0;
	}
	at = (*sp - len) & ~15ul;
	*sp = at;
	for (size_t off = 0; off < len; off += sizeof(unsigned long)) {
		unsigned long w = 0;
		size_t n = len - off < sizeof(w) ? len - off : sizeof(w);

		memcpy(&w, s + off, n);
		if (poke(at + off, w) != 0)
			return 0;
	}
	return at;
}

/* Is there a `syscall` (0f 05) at addr? */
static int
is_syscall(unsigned long addr)
{
	unsigned long w;

	return peek(addr, &w) == 0 && (w & 0xffff) == 0x050f;
}

/* Searches the executable mappings (the vdso first) for a syscall insn. */
static unsigned long
find_syscall(void)
{
	char path[64], line[512];
	unsigned long found = 0;

	for (int pass = 0; pass < 2 && found == 0; pass++) {
		(void)snprintf(path, sizeof(path), "/proc/%ld/maps", (long)pid);
		FILE *fp = fopen(path, "r");
		if (fp == NULL) {
			fprintf(stderr, "injectcall: %s: %s\n", path, strerror(errno));
			return 0;
		}
		while (found == 0 && fgets(line, sizeof(line), fp) != NULL) {
			unsigned long lo, hi;
			char perms[8];

			if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[2] != 'x')
				continue;
			if ((strstr(line, "[vdso]") != NULL) != (pass == 0))
				continue;
			if (hi - lo > SCAN_MAX)
				hi = lo + SCAN_MAX;
			unsigned long prev = 0;
			for (unsigned long a = lo; a + sizeof(long) <= hi; a += sizeof(long)) {
				unsigned long w;

				if (peek(a, &w) != 0)
					break;
				/* 0f 05 inside this word, or across from the last one */
				for (unsigned i = 0; i + 1 < sizeof(w); i++)
					if (((w >> (8 * i)) & 0xffff) == 0x050f) {
						found = a + i;
						break;
					}
				if (found == 0 && a > lo && (prev >> 56) == 0x0f && (w & 0xff) == 0x05)
					found = a - 1;
				if (found != 0)
					break;
				prev = w;
			}
		}
		fclose(fp);
	}
	if (found == 0)
		fprintf(stderr, "injectcall: no syscall instruction found in process %ld\n",
		    (long)pid);
	return found;
}

static int
parse_args(int argc, char **argv, long *nr)
{
	char *end;

	*nr = -1;
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strcmp(argv[2], calls[i].name) == 0)
			*nr = calls[i].nr;
	if (*nr < 0) {
		errno = 0;
		*nr = strtol(argv[2], &end, 0);
		if (errno != 0 || *end != '\0' || end == argv[2] || *nr < 0) {
			fprintf(stderr, "injectcall: '%s' is neither a known call nor a number\n",
			    argv[2]);
			return -1;
		}
	}
	if (argc - 3 > ARGS_MAX) {
		fprintf(stderr, "injectcall: at most %d arguments\n", ARGS_MAX);
		return -1;
	}
	for (int i = 3; i < argc; i++) {
		if (strncmp(argv[i], "s:", 2) == 0)
			continue;
		errno = 0;
		(void)strtoll(argv[i], &end, 0);
		if (errno != 0 || *end != '\0' || end == argv[i]) {
			fprintf(stderr, "injectcall: argument '%s' is neither a number nor s:TEXT\n",
			    argv[i]);
			return -1;
		}
	}
	return 0;
}

/* Yama's ptrace_scope 3 forbids every attach, even root's. */
static int
yama_forbids(void)
{
	FILE *fp = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	int scope = 0;

	if (fp == NULL)
		return 0;
	if (fscanf(fp, "%d", &scope) != 1)
		scope = 0;
	fclose(fp);
	return scope >= 3;
}

static int
attach(int *st)
{
	if (ptrace(PTRACE_SEIZE, pid, 0, (void *)(long)PTRACE_O_TRACESYSGOOD) != 0) {
		int e = errno;

		if (e == EPERM && yama_forbids()) {
			fprintf(stderr, "injectcall: Yama ptrace_scope 3 forbids attaching\n");
			exit(77);
		}
		fprintf(stderr, "injectcall: attach to %ld: %s\n", (long)pid, strerror(e));
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) != 0) {
		fprintf(stderr, "injectcall: PTRACE_INTERRUPT: %s\n", strerror(errno));
		return -1;
	}
	/* signals before the interrupt stop are the process's own business */
	return next_stop(st, 0);
}

/*
 * Back to the first stop's state: stack words and registers. Then detach
 * and re-send the held signals, or (keep) stay attached.
 */
static int
restore(const struct user_regs_struct *saved, int keep)
{
	int st, rc;

	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) != 0) {
		fprintf(stderr, "injectcall: PTRACE_INTERRUPT: %s\n", strerror(errno));
		return -1;
	}
	if ((rc = step(PTRACE_CONT, &st)) != 0)
		return rc;
	if ((st >> 16) != PTRACE_EVENT_STOP) {
		fprintf(stderr, "injectcall: unexpected stop %#x after the call\n", st);
		return -1;
	}
	unpoke();
	if (ptrace(PTRACE_SETREGS, pid, 0, (void *)saved) != 0 ||
	    (!keep && ptrace(PTRACE_DETACH, pid, 0, 0) != 0)) {
		fprintf(stderr, "injectcall: restoring process %ld: %s\n", (long)pid,
		    strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < nheld; i++)
		(void)kill(pid, held[i]);
	return 0;
}

/*
 * The filter refused the call and left a SIGSYS pending. The process, its
 * registers restored, takes it as it would have (killed, or its handler
 * reports and exits); we watch how it ends. Returns 1 (gone) or -1.
 */
static int
take_verdict(void)
{
	int st, sig;

	if (ptrace(PTRACE_CONT, pid, 0, 0) != 0)
		return -1;
	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0) {
			fprintf(stderr, "injectcall: waitpid %ld: %s\n", (long)pid, strerror(errno));
			return -1;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return report_end(st);
		if (!WIFSTOPPED(st))
			continue;
		sig = (st >> 16) != 0 ? 0 : WSTOPSIG(st);
		if (sig == SIGSYS) {
			printf("signal SIGSYS\n");
			fflush(stdout);
		}
		if (ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig) != 0)
			return -1;
	}
}

/* Is a SIGSYS pending for the process (a trapping filter refused the call)? */
static int
sigsys_pending(void)
{
	char path[64], line[256];
	unsigned long long mask = 0;
	FILE *fp;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "SigPnd:", 7) == 0 || strncmp(line, "ShdPnd:", 7) == 0)
			mask |= strtoull(line + 7, NULL, 16);
	fclose(fp);
	return (mask >> (SIGSYS - 1)) & 1;
}

int
main(int argc, char **argv)
{
	struct user_regs_struct saved, regs;
	unsigned long args[ARGS_MAX] = { 0 }, sp, insn;
	long nr;
	char *end;
	int st, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: injectcall PID CALL [ARG...] (ARG: integer or s:TEXT)\n");
		return 2;
	}
	errno = 0;
	pid = (pid_t)strtol(argv[1], &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0) {
		fprintf(stderr, "injectcall: '%s' is not a process id\n", argv[1]);
		return 2;
	}
	if (parse_args(argc, argv, &nr) != 0)
		return 2;
	(void)signal(SIGALRM, on_alarm);
	alarm(TIMEOUT);

	if ((rc = attach(&st)) != 0)
		return rc < 0 ? 2 : 1;
	if (ptrace(PTRACE_GETREGS, pid, 0, &saved) != 0) {
		fprintf(stderr, "injectcall: PTRACE_GETREGS: %s\n", strerror(errno));
		return 2;
	}
	/* blocked in a call: the instruction just before RIP is a syscall */
	if ((long)saved.orig_rax >= 0 && is_syscall(saved.rip - 2))
		insn = saved.rip - 2;
	else if ((insn = find_syscall()) == 0)
		return 2;

	sp = saved.rsp - RED_ZONE;
	for (int i = 3; i < argc; i++) {
		if (strncmp(argv[i], "s:", 2) == 0) {
			if ((args[i - 3] = push_string(&sp, argv[i] + 2)) == 0) {
				unpoke();
				return 2;
			}
		} else {
			args[i - 3] = (unsigned long)strtoll(argv[i], NULL, 0);
		}
	}
	regs = saved;
	regs.rip = insn;
	regs.rax = (unsigned long)nr;
	regs.orig_rax = (unsigned long)-1;
	regs.rdi = args[0];
	regs.rsi = args[1];
	regs.rdx = args[2];
	regs.r10 = args[3];
	regs.r8 = args[4];
	regs.r9 = args[5];
	if (ptrace(PTRACE_SETREGS, pid, 0, &regs) != 0) {
		fprintf(stderr, "injectcall: PTRACE_SETREGS: %s\n", strerror(errno));
		return 2;
	}

	/* entry stop: the kernel sees our call */
	if ((rc = step(PTRACE_SYSCALL, &st)) != 0)
		return rc < 0 ? 2 : 1;
	if (WSTOPSIG(st) != (SIGTRAP | 0x80) || ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0 ||
	    (long)regs.orig_rax != nr) {
		fprintf(stderr, "injectcall: no entry stop for call %ld (stop %#x)\n", nr, st);
		return 2;
	}
	/* exit stop (or death) */
	if ((rc = step(PTRACE_SYSCALL, &st)) != 0)
		return rc < 0 ? 2 : 1;
	if (WSTOPSIG(st) != (SIGTRAP | 0x80) || ptrace(PTRACE_GETREGS, pid, 0, &regs) != 0) {
		fprintf(stderr, "injectcall: no exit stop for call %ld (stop %#x)\n", nr, st);
		return 2;
	}
	long ret = (long)regs.rax;
	if (sigsys_pending()) {
		if ((rc = restore(&saved, 1)) != 0)
			return rc < 0 ? 2 : 1;
		return take_verdict() < 0 ? 2 : 1;
	}
	if (ret < 0 && ret >= -4095)
		printf("error %ld\n", -ret);
	else
		printf("return %ld\n", ret);
	fflush(stdout);
	if ((rc = restore(&saved, 0)) != 0)
		return rc < 0 ? 2 : 1;
	return 0;
}

#else /* not x86-64 Linux */

int
main(void)
{
	struct utsname u;

	printf("injectcall: needs x86-64 Linux (this is %s %s)\n",
	    uname(&u) == 0 ? u.sysname : "?", uname(&u) == 0 ? u.machine : "?");
	return 77;
}

#endif
