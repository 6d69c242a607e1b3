/*
 * nutsec - nutcert.h: what the parts of nutcert share. nutcert manages the
 * NSS certificate databases of upsd and the clients: a CA kept under
 * --pki DIR, server and client certificates installed under their NAME as
 * nickname, revocation and CRLs. NSS is used in this process for the CA
 * (key, signing, CRL); certutil/crlutil/pk12util are run with argv arrays
 * for the databases of upsd and the clients.
 */
#ifndef NUTSEC_NUTCERT_H
#define NUTSEC_NUTCERT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Exit codes: stable, documented in nutcert(8) and docs/nutcert.md. */
enum {
	NC_OK = 0,
	NC_USAGE = 1,		/* bad command line */
	NC_VERIFY = 2,		/* a certificate did not verify */
	NC_REFUSED = 3,		/* policy: weak key, unsafe file, CA:TRUE request, ... */
	NC_DB = 4,		/* database missing/unreadable, wrong password */
	NC_CONFLICT = 5,	/* exists already and differs; --force replaces */
	NC_TOOL = 6,		/* certutil/crlutil/pk12util missing or failed */
	NC_NOTFOUND = 7,	/* no certificate of that name */
	NC_EXPIRING = 10,	/* expiring: something expires within --days */
	NC_EXPIRED = 11		/* expiring: something has expired */
};

#define NC_NAME_MAX 64		/* NAME: [A-Za-z0-9._-], the nickname */
#define NC_SERIAL_LEN 16	/* random serial bytes */
#define NC_LEAF_DAYS_MAX 825
#define NC_LEAF_DAYS_DEFAULT 825
#define NC_MAX_SANS 32

enum nc_kind { NC_KIND_CA, NC_KIND_SERVER, NC_KIND_CLIENT };
enum nc_keytype { NC_KEY_EC, NC_KEY_RSA };

/* Global options. */
struct nc_opts {
	const char *pki;	/* --pki DIR */
	int json;		/* --json */
	int force;		/* --force */
	int quiet;
};
extern struct nc_opts nc_opt;

/* ---- util.c ---- */
void nc_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void nc_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads a password file (regular, owned by us or root, no group/other
 * access) into a secret string; NULL after a message (*rc set). */
char *nc_read_password(const char *path, const char *what, int *rc);
/* Clears the passwords nc_read_password keeps (one read per path). */
void nc_password_forget(void);
int nc_valid_name(const char *name);
/* nc_valid_name, or a message naming what and 0. */
int nc_check_name(const char *what, const char *name);
int nc_valid_dns(const char *host);
/* A private temporary directory (0700), removed with nc_tmp_cleanup. */
const char *nc_tmpdir(void);
char *nc_tmpfile(const char *base);
void nc_tmp_cleanup(void);
/* Writes len bytes to path (mode), atomically (temp + rename). 0 / -1. */
int nc_write_file(const char *path, const void *buf, size_t len, int mode);
/* Reads a whole file (max 1 MiB); NULL with errno. */
unsigned char *nc_read_file(const char *path, size_t *len);
/* Writes "pw\n" to a fresh 0600 temp file for certutil -f; NULL on error. */
char *nc_pwfile_for_tool(const char *pw);
void nc_hex(const unsigned char *p, size_t n, char *out, int colons);
void nc_time_str(time_t t, char *out, size_t outlen);
/* "quoted" for a NUT config file: \, " and # escaped. xmalloc'd. */
char *nc_conf_quote(const char *s);
/* A DN as NSS prints it, every byte outside printable ASCII as an RFC 4514
 * hex escape (\C3\BC), which NSS reads back as the same name: the
 * configuration files keep only printable ASCII. xmalloc'd. */
char *nc_dn_ascii(const char *dn);
/* An IP address into 4 or 16 bytes: returns 4, 16 or 0 (not an address). */
int nc_ip_parse(const char *s, unsigned char out[16]);
/* 4 or 16 bytes into text; 0 / -1. */
int nc_ip_format(const unsigned char *p, size_t n, char *out, size_t outlen);
/* The printing helper for JSON strings. */
void nc_json_str(const char *s);
/*
 * s for a terminal: control characters (a certificate subject signed from
 * someone else's request may hold any) as \xHH. A new string; free it.
 */
char *nc_text_str(const char *s);

/* ---- run.c ---- */
/* Runs argv[0] (found in PATH; $NUTCERT_<TOOL> overrides) with stdin from
 * /dev/null; its stdout+stderr collected into out (NUL-terminated, may be
 * NULL). Returns the exit status, 127 when it cannot be run, -1 on a signal. */
int nc_run(char *const argv[], char *out, size_t outlen);
/* Names the tool's failure (first lines of its output) and returns NC_TOOL. */
int nc_tool_failed(const char *what, int status, const char *out);

/* ---- der.c ---- */
struct der {
	unsigned char buf[32768];
	size_t len;
	int overflow;
};
void der_init(struct der *d);
void der_raw(struct der *d, const void *p, size_t n);
/* Appends tag, length and content. */
void der_tlv(struct der *d, unsigned char tag, const void *p, size_t n);
/* Wraps everything appended since `mark` into tag. */
void der_wrap(struct der *d, size_t mark, unsigned char tag);
void der_int_bytes(struct der *d, const unsigned char *p, size_t n);
void der_small_int(struct der *d, unsigned v);
void der_time(struct der *d, time_t t);
void der_bitstring_bits(struct der *d, unsigned bits);

/* ---- index.c: DIR/index, the issued certificates ---- */
struct nc_entry {
	char status;			/* 'V' valid, 'R' revoked */
	char serial[2 * NC_SERIAL_LEN + 1];	/* hex */
	time_t not_before, not_after;
	enum nc_kind kind;
	char name[NC_NAME_MAX + 1];
	time_t revoked_at;
	int reason;			/* CRL reason code */
	char *sans;			/* "dns:a,ip:b" or "-" */
	char *subject;
};
struct nc_index {
	struct nc_entry *e;
	size_t n;
};
int nc_index_load(const char *pki, struct nc_index *ix);
int nc_index_save(const char *pki, const struct nc_index *ix);
void nc_index_free(struct nc_index *ix);
/* The valid (not revoked) entry for name, else NULL. */
struct nc_entry *nc_index_find(struct nc_index *ix, const char *name);
/* A valid client certificate of another name with this subject (upsd's
 * certsubject would take one for the other), else NULL. */
const struct nc_entry *nc_index_subject_taken(const struct nc_index *ix,
    const char *name, const char *subject);
struct nc_entry *nc_index_add(struct nc_index *ix);
const char *nc_kind_str(enum nc_kind k);
int nc_reason_code(const char *word);
const char *nc_reason_str(int code);
/* Lock DIR/lock exclusively; held until exit. 0 / NC_* code. */
int nc_pki_lock(const char *pki);
char *nc_pki_path(const char *pki, const char *rel);
/* DIR/installed: the database NAME was last installed into (xmalloc'd or
 * NULL), and recording it. */
char *nc_installed_get(const char *pki, const char *name);
int nc_installed_set(const char *pki, const char *name, const char *dbdir);

/* ---- ca_nss.c: the CA, in this process ---- */
struct nc_issue {
	enum nc_kind kind;
	const char *subject;		/* CA only: its DN */
	int days;
	int backdate_days;		/* tests: issue expired certificates */
	const char *sans[NC_MAX_SANS];	/* "dns:x" / "ip:x" */
	size_t nsans;
	int allow_csr_ext;		/* sign-csr --copy-extensions */
};
struct nc_cert_out {
	unsigned char *der;		/* xmalloc'd */
	size_t len;
	char serial[2 * NC_SERIAL_LEN + 1];
	time_t not_before, not_after;
	char *subject;			/* as NSS prints it */
};
/* Opens the CA database DIR/ca with the CA password (rw: for init). */
int nc_ca_open(const char *pki, const char *pw, int create);
void nc_ca_close(void);
/* dn as NSS writes it (how the index records subjects), xmalloc'd; NULL if
 * it is not a distinguished name. NSS must be initialised. */
char *nc_dn_normal(const char *dn);
/* init: key in the CA database, self-signed certificate, nickname nick. */
int nc_ca_create(const char *nick, enum nc_keytype kt, int bits,
    struct nc_issue *is, struct nc_cert_out *out);
/* Signs a PKCS#10 request (DER or PEM) with the CA nickname nick. */
int nc_ca_sign(const char *nick, const unsigned char *csr, size_t csrlen,
    struct nc_issue *is, const struct nc_index *ix, struct nc_cert_out *out);
/* Makes the CRL of the index' revoked entries, DER into *der: valid from
 * now (less backdate_days, a test option) for days. */
int nc_ca_crl(const char *nick, const struct nc_index *ix, int days,
    int backdate_days, unsigned long crlnumber, unsigned char **der, size_t *len);
void nc_cert_out_free(struct nc_cert_out *o);
/* Verifies a certificate against the CA database (open) for a usage
 * (server, client, or the CA itself) and a host name; why says what failed. */
int nc_ca_verify(const unsigned char *der, size_t len, enum nc_kind usage,
    const char *host, char *why, size_t whylen);

/* ---- certinfo.c: reading certificates without a database ---- */
struct nc_certinfo {
	char subject[512], issuer[512];
	char serial[2 * NC_SERIAL_LEN + 8];
	char sha256[96];
	time_t not_before, not_after;
	char sans[1024];
	char usages[256];
	int is_ca;
};
int nc_certinfo(const unsigned char *der, size_t len, struct nc_certinfo *ci);
/* The issuer's name as NSS prints it, whole (xmalloc'd), or NULL. */
char *nc_cert_issuer(const unsigned char *der, size_t len);
/* PEM of a DER certificate, xmalloc'd. */
char *nc_pem(const unsigned char *der, size_t len, const char *label);

/* ---- db.c: upsd's and the clients' databases, through certutil ---- */
struct nc_db {
	const char *dir;
	char *dbarg;			/* "sql:DIR" */
	char *pwfile;			/* temp copy for -f (an empty line: no password) */
	int created;
};
/* Opens (creates if missing) DIR; checks its password. */
int nc_db_open(struct nc_db *db, const char *dir, const char *pw, int create);
void nc_db_close(struct nc_db *db);
/* A database this run created, removed again (after a failure). */
void nc_db_discard(struct nc_db *db);
int nc_db_has(struct nc_db *db, const char *nick);
/* Whether nick in the database is (or includes) this certificate. */
int nc_db_holds(struct nc_db *db, const char *nick, const unsigned char *der,
    size_t len);
int nc_db_delete(struct nc_db *db, const char *nick, int with_key);
int nc_db_request(struct nc_db *db, const char *subject, enum nc_keytype kt,
    int bits, const char *csrpath);
int nc_db_import(struct nc_db *db, const char *nick, const char *trust,
    const char *derpath);
int nc_db_trust(struct nc_db *db, const char *nick, const char *trust);
int nc_db_import_crl(struct nc_db *db, const char *crlpath);
int nc_db_verify(struct nc_db *db, const char *nick, enum nc_kind usage);
int nc_db_export_p12(struct nc_db *db, const char *nick, const char *file,
    const char *p12pwfile);
int nc_db_import_p12(struct nc_db *db, const char *file, const char *p12pwfile);
int nc_db_list(struct nc_db *db, char *buf, size_t buflen);
/* root:group, 0750 directory, 0640 files. */
int nc_db_fix_modes(const char *dir, const char *group);

/* ---- main.c: the command line ---- */
#define NC_MAX_LIST 32
struct nc_cli {
	const char *cmd;
	const char *pos[4];		/* operands after the command */
	int npos;
	const char *key, *subject, *out, *reason, *group, *usage, *ca_name;
	const char *ca_pw_file, *db_pw_file, *csr, *profile, *cert_out;
	int copy_ext;
	const char *in, *p12_pw_file, *db_dir;
	int ca_pw_fd, db_pw_fd, p12_pw_fd;	/* --*-password-fd, -1: none */
	const char *clients[NC_MAX_LIST];
	int nclients;
	int bits, days, backdate_days, empty_db_pw;
	const char *hosts[NC_MAX_LIST];
	int nhosts;
	const char *ips[NC_MAX_LIST];
	int nips;
	const char *installs[NC_MAX_LIST];
	int ninstalls;
};
extern struct nc_cli cli;

/* ---- commands (cmd_*.c), each returning an exit code ---- */
int cmd_init(void);
int cmd_server(void);
int cmd_client(void);
int cmd_revoke(void);
int cmd_crl(void);
int cmd_list(void);
int cmd_show(void);
int cmd_verify(void);
int cmd_expiring(void);
int cmd_sign_csr(void);
int cmd_renew(void);
int cmd_site(void);
int cmd_export(void);
int cmd_import(void);
/* cmd_issue.c: server/client NAME with the options in cli, and what
 * sign-csr shares with it */
int nc_issue_leaf(enum nc_kind kind);
int nc_key_choice(enum nc_keytype *kt, int *bits);
int nc_days_choice(int def, int max, int *days);
int nc_collect_sans(struct nc_issue *is, char **joined);
/* frees the names collected into is */
void nc_issue_free(struct nc_issue *is);
void nc_print_summary(const char *what, const char *name,
    const struct nc_cert_out *o);
int nc_pki_begin(const char *pki, struct nc_index *ix, char **nick);
int nc_record_issue(const char *pki, struct nc_index *ix, enum nc_kind kind,
    const char *name, const char *sans, const struct nc_cert_out *out);
void nc_help(void);
/* shared by the commands: the CA nickname (DIR/ca.name), xmalloc'd */
char *nc_ca_name(const char *pki);

#endif
