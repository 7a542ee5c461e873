/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seccomp.c: the sandbox's seccomp filter (libseccomp), installed
 * last before execve. A deny list, after Flatpak's and Docker's: builds
 * run arbitrary compilers, so an allow list would break them. Calls of
 * other architectures (i386 via int 0x80, x32) kill the process:
 * libseccomp's default action for an architecture not in the filter. The
 * same list, as an OCI seccomp profile, confines container builds
 * (container.c).
 */
#include <errno.h>
#include <jansson.h>
#include <linux/sched.h>
#include <sched.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"

/* Denied with EPERM: kernel keyring, module and kexec loading, tracing other
 * processes, mounts and namespaces (escapes), io_uring and userfaultfd
 * (kernel attack surface), accounting and quotas, file handles
 * (CVE-2014-3519 "shocker"), modify_ldt. */
static const int denied[] = {
	__NR_acct, __NR_quotactl, __NR_add_key, __NR_keyctl, __NR_request_key,
	__NR_bpf, __NR_kexec_load, __NR_kexec_file_load, __NR_init_module,
	__NR_finit_module, __NR_delete_module, __NR_mount, __NR_umount2,
	__NR_pivot_root, __NR_chroot, __NR_unshare, __NR_setns, __NR_ptrace,
	__NR_process_vm_readv, __NR_process_vm_writev, __NR_perf_event_open,
	__NR_userfaultfd, __NR_io_uring_setup, __NR_io_uring_enter,
	__NR_io_uring_register, __NR_modify_ldt, __NR_open_by_handle_at,
	__NR_name_to_handle_at, __NR_swapon, __NR_swapoff, __NR_reboot,
	__NR_syslog, __NR_settimeofday, __NR_clock_settime, __NR_vhangup,
	__NR_lookup_dcookie, __NR_quotactl_fd,
};

/* Answered with ENOSYS so that callers fall back: clone3 (its flags live in
 * memory a filter cannot read; glibc falls back to clone) and the new mount
 * API. */
static const int absent[] = {
	__NR_clone3, __NR_open_tree, __NR_move_mount, __NR_fsopen,
	__NR_fsconfig, __NR_fsmount, __NR_fspick, __NR_mount_setattr,
};

/* clone() flags that would make a namespace. */
static const unsigned long clone_new[] = {
	CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
	CLONE_NEWUTS, CLONE_NEWCGROUP,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int add_rules(scmp_filter_ctx ctx)
{
	size_t i;
	int rc;

	for (i = 0; i < COUNT(denied); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), denied[i],
					   0)))
			return rc;
	for (i = 0; i < COUNT(absent); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), absent[i],
					   0)))
			return rc;
	for (i = 0; i < COUNT(clone_new); i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), __NR_clone,
					   1, SCMP_A0(SCMP_CMP_MASKED_EQ,
						      clone_new[i], clone_new[i]))))
			return rc;
	/* Typing into the terminal (TIOCSTI) or console tricks (TIOCLINUX). */
	if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), __NR_ioctl, 1,
				   SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					   TIOCSTI))) ||
	    (rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), __NR_ioctl, 1,
				   SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffUL,
					   TIOCLINUX))))
		return rc;
	/* personality(): PER_LINUX only, no READ_IMPLIES_EXEC or
	 * ADDR_NO_RANDOMIZE (as Flatpak; one comparison per argument is all
	 * libseccomp allows, so querying is refused too). */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), __NR_personality, 1,
				SCMP_A0(SCMP_CMP_NE, PER_LINUX));
}

/*
 * libseccomp compiles the rules in the parent and exports the BPF program;
 * the child only hands it to the kernel. Nothing may allocate between the
 * rlimits and execve (under ASan an allocation after RLIMIT_AS fails).
 */
int hwb_sandbox__seccomp_compile(struct hwb_buf *out, struct hwb_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	char chunk[4096];
	ssize_t n;
	int rc = -1, fd = -1;

	if (!ctx)
		return hwb_error_oom(err);
	if ((rc = add_rules(ctx)))
		goto fail;
	fd = memfd_create("hwb-seccomp", MFD_CLOEXEC);
	if (fd < 0 || (rc = seccomp_export_bpf(ctx, fd)) ||
	    lseek(fd, 0, SEEK_SET) < 0) {
		rc = -errno;
		goto fail;
	}
	hwb_buf_clear(out);
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		hwb_buf_put(out, chunk, (size_t)n);
	close(fd);
	seccomp_release(ctx);
	if (n < 0 || !out->len || out->len % sizeof(struct sock_filter))
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B026",
				     "sandbox: libseccomp exported no usable "
				     "filter");
	return hwb_buf_check(out, err);
fail:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	errno = rc < 0 ? -rc : EINVAL;
	return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B026",
			       "sandbox: cannot build the seccomp filter");
}

int hwb_sandbox__seccomp_install(const struct hwb_buf *program)
{
	struct sock_fprog prog;

	prog.len = (unsigned short)(program->len / sizeof(struct sock_filter));
	prog.filter = (struct sock_filter *)(void *)program->ptr;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* One rule of an OCI profile: names denied with errnum, optionally only
 * when argument index compares with op ("SCMP_CMP_MASKED_EQ": masked with
 * mask equals value; "SCMP_CMP_NE": differs from mask). */
static int profile_rule(json_t *rules, const int *nrs, size_t n, int errnum,
			int index, const char *op, unsigned long mask,
			unsigned long value)
{
	json_t *rule = json_object(), *names = json_array(), *args;
	char *name;
	size_t i;
	int rc = -1;

	if (!rule || !names)
		goto cleanup;
	for (i = 0; i < n; i++) {
		/* Calls this libseccomp does not know are left out, as the
		 * filter above leaves them out (seccomp_rule_add fails). */
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nrs[i]);
		if (!name)
			continue;
		json_array_append_new(names, json_string(name));
		free(name);
	}
	json_object_set(rule, "names", names);
	json_object_set_new(rule, "action", json_string("SCMP_ACT_ERRNO"));
	json_object_set_new(rule, "errnoRet", json_integer(errnum));
	if (index >= 0) {
		args = json_pack("[{s:i, s:I, s:I, s:s}]", "index", index, "value",
				 (json_int_t)mask, "valueTwo", (json_int_t)value,
				 "op", op);
		if (!args || json_object_set_new(rule, "args", args))
			goto cleanup;
	}
	rc = json_array_append(rules, rule);
cleanup:
	json_decref(names);
	json_decref(rule);
	return rc;
}

#define MASKED_EQ "SCMP_CMP_MASKED_EQ"

int hwb_sandbox__seccomp_profile(struct hwb_buf *out, struct hwb_error *err)
{
	static const int clone_nr[] = { __NR_clone };
	static const int ioctl_nr[] = { __NR_ioctl };
	static const int pers_nr[] = { __NR_personality };
	json_t *doc = json_object(), *rules = json_array();
	char *text = NULL;
	size_t i;
	int bad = !doc || !rules;

	bad = bad ||
	      profile_rule(rules, denied, COUNT(denied), EPERM, -1, NULL, 0, 0) ||
	      profile_rule(rules, absent, COUNT(absent), ENOSYS, -1, NULL, 0, 0);
	for (i = 0; !bad && i < COUNT(clone_new); i++)
		bad = profile_rule(rules, clone_nr, 1, EPERM, 0, MASKED_EQ,
				   clone_new[i], clone_new[i]);
	bad = bad ||
	      profile_rule(rules, ioctl_nr, 1, EPERM, 1, MASKED_EQ, 0xffffffffUL,
			   TIOCSTI) ||
	      profile_rule(rules, ioctl_nr, 1, EPERM, 1, MASKED_EQ, 0xffffffffUL,
			   TIOCLINUX) ||
	      profile_rule(rules, pers_nr, 1, EPERM, 0, "SCMP_CMP_NE", PER_LINUX,
			   0);
	bad = bad ||
	      json_object_set_new(doc, "defaultAction",
				  json_string("SCMP_ACT_ALLOW")) ||
	      json_object_set(doc, "syscalls", rules) ||
	      !(text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS));
	json_decref(rules);
	json_decref(doc);
	if (bad || hwb_buf_set(out, text, strlen(text))) {
		free(text);
		return hwb_error_oom(err);
	}
	free(text);
	return 0;
}
