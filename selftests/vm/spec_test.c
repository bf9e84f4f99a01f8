// SPDX-License-Identifier: GPL-2.0
/*
 * The speculative-execution mitigations nvmx reports (NVMX_GET_STATUS,
 * .mitigations) are the ones the running kernel asks for. The expected set
 * is derived here without nvmx, from what the kernel says about itself:
 * /sys/devices/system/cpu/vulnerabilities/, /proc/cpuinfo and
 * /proc/cmdline. With kvm_intel loaded, its own L1D-flush choice is in the
 * l1tf file ("VMX: ..."), and is what nvmx must match.
 *
 * NVMX_SPEC_EXPECT=name,name... (or "none") also pins the expected set, so
 * that a profile says what its CPU model and command line must exercise.
 */
#include <ctype.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define VULN_DIR "/sys/devices/system/cpu/vulnerabilities/"

static const struct {
	__u64 flag;
	const char *name;
} mitigation_names[] = {
	{ NVMX_MITIGATION_VERW, "verw" },
	{ NVMX_MITIGATION_L1D_FLUSH_HW, "l1d_flush_hw" },
	{ NVMX_MITIGATION_L1D_FLUSH_SW, "l1d_flush_sw" },
	{ NVMX_MITIGATION_BHI_CLEAR, "bhi_clear" },
	{ NVMX_MITIGATION_RSB_VMEXIT, "rsb_vmexit" },
	{ NVMX_MITIGATION_RSB_VMEXIT_LITE, "rsb_vmexit_lite" },
	{ NVMX_MITIGATION_IBPB_ON_SWITCH, "ibpb_on_switch" },
	{ NVMX_MITIGATION_IBRS_VMEXIT, "ibrs_vmexit" },
	{ NVMX_MITIGATION_IBPB_EXIT_TO_USER, "ibpb_exit_to_user" },
};

#define NR_NAMES ARRAY_SIZE(mitigation_names)

/* Flags as "name,name", "none" for 0; unnamed bits in hex. */
static const char *flags_str(__u64 m, char *buf, size_t len)
{
	size_t n = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < NR_NAMES; i++) {
		if (!(m & mitigation_names[i].flag))
			continue;
		n += snprintf(buf + n, len - n, "%s%s", n ? "," : "",
			      mitigation_names[i].name);
		m &= ~mitigation_names[i].flag;
		if (n >= len)
			return buf;
	}
	if (m)
		snprintf(buf + n, len - n, "%s%#llx", n ? "," : "",
			 (unsigned long long)m);
	else if (!n)
		snprintf(buf, len, "none");
	return buf;
}

/* Parses flags_str()'s form; returns -1 for a name it does not know. */
static int flags_parse(const char *s, __u64 *m)
{
	char buf[512], *tok, *save;
	unsigned int i;

	*m = 0;
	if (!strcmp(s, "none"))
		return 0;
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < NR_NAMES; i++)
			if (!strcmp(tok, mitigation_names[i].name))
				break;
		if (i == NR_NAMES)
			return -1;
		*m |= mitigation_names[i].flag;
	}
	return 0;
}

/* A small text file, without its trailing newline; "" if unreadable. */
static const char *read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, len - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return buf;
}

struct host_state {
	char mds[256], taa[256], rfds[256], l1tf[256], spectre_v2[512];
	char retbleed[256], vmscape[256], cmdline[1024];
	char cpu_flags[4096];
};

static void host_state_read(struct host_state *h)
{
	char line[4096];
	FILE *f;

	read_text(VULN_DIR "mds", h->mds, sizeof(h->mds));
	read_text(VULN_DIR "tsx_async_abort", h->taa, sizeof(h->taa));
	read_text(VULN_DIR "reg_file_data_sampling", h->rfds, sizeof(h->rfds));
	read_text(VULN_DIR "l1tf", h->l1tf, sizeof(h->l1tf));
	read_text(VULN_DIR "spectre_v2", h->spectre_v2, sizeof(h->spectre_v2));
	read_text(VULN_DIR "retbleed", h->retbleed, sizeof(h->retbleed));
	read_text(VULN_DIR "vmscape", h->vmscape, sizeof(h->vmscape));
	read_text("/proc/cmdline", h->cmdline, sizeof(h->cmdline));

	h->cpu_flags[0] = '\0';
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		/* The first CPU's "flags\t\t: fpu vme ..." line. */
		if (!strncmp(line, "flags", 5) && strchr(line, ':')) {
			snprintf(h->cpu_flags, sizeof(h->cpu_flags), " %s ",
				 strchr(line, ':') + 1);
			break;
		}
	}
	fclose(f);
}

/* @word in a space-separated list (cpuinfo flags, the command line). */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p = list;

	while ((p = strstr(p, word))) {
		bool start = p == list || isspace((unsigned char)p[-1]);
		bool end = !p[n] || isspace((unsigned char)p[n]);

		if (start && end)
			return true;
		p += n;
	}
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * Whether VM entry must flush the L1D, as kvm_intel decides it. With
 * kvm_intel loaded, the l1tf file carries its decision; without, the
 * kernel's own (l1tf=, mitigations=) with kvm_intel's default.
 */
static bool l1d_flush_expected(const struct host_state *h)
{
	const char *vmx = strstr(h->l1tf, "VMX: ");

	if (!h->l1tf[0] || starts_with(h->l1tf, "Not affected"))
		return false;
	/* "conditional cache flushes" or "cache flushes" */
	if (vmx && !starts_with(vmx, "VMX: EPT disabled"))
		return !!strstr(vmx, "cache flushes");
	return !has_word(h->cmdline, "mitigations=off") &&
	       !has_word(h->cmdline, "l1tf=off");
}

/*
 * The kernel's feature bits, as its sysfs files show them (bugs.c):
 * CLEAR_CPU_BUF comes with any of the VERW mitigations; RSB_VMEXIT with
 * the retpoline, LFENCE and legacy IBRS modes of spectre_v2 (cleared again
 * by retbleed=ibpb); RSB_VMEXIT_LITE with the eIBRS modes on PBRSB parts;
 * KERNEL_IBRS with legacy IBRS; USE_IBPB with IBPB in use for user space;
 * CLEAR_BHB_LOOP_ON_VMEXIT is "KVM: SW loop"; IBPB_EXIT_TO_USER is
 * vmscape's mitigation.
 */
static __u64 expected_mitigations(const struct host_state *h)
{
	const char *v2 = h->spectre_v2;
	bool eibrs = starts_with(v2, "Mitigation: Enhanced / Automatic IBRS");
	bool legacy_ibrs = starts_with(v2, "Mitigation: IBRS");
	__u64 m = 0;

	if (strstr(h->mds, "Clear CPU buffers") ||
	    strstr(h->taa, "Clear CPU buffers") ||
	    strstr(h->rfds, "Clear Register File"))
		m |= NVMX_MITIGATION_VERW;
	if (l1d_flush_expected(h))
		m |= has_word(h->cpu_flags, "flush_l1d") ?
		     NVMX_MITIGATION_L1D_FLUSH_HW : NVMX_MITIGATION_L1D_FLUSH_SW;
	if (strstr(v2, "KVM: SW loop"))
		m |= NVMX_MITIGATION_BHI_CLEAR;
	if ((starts_with(v2, "Mitigation: Retpolines") ||
	     starts_with(v2, "Vulnerable: LFENCE") || legacy_ibrs) &&
	    !has_word(h->cmdline, "retbleed=ibpb"))
		m |= NVMX_MITIGATION_RSB_VMEXIT;
	if (eibrs && strstr(v2, "PBRSB-eIBRS: SW sequence"))
		m |= NVMX_MITIGATION_RSB_VMEXIT_LITE;
	if (strstr(v2, "IBPB: always-on") || strstr(v2, "IBPB: conditional"))
		m |= NVMX_MITIGATION_IBPB_ON_SWITCH;
	if (legacy_ibrs)
		m |= NVMX_MITIGATION_IBRS_VMEXIT;
	if (strstr(h->vmscape, "IBPB before exit to userspace"))
		m |= NVMX_MITIGATION_IBPB_EXIT_TO_USER;
	return m;
}

static void host_state_log(const struct host_state *h)
{
	printf("# mds: %s\n# tsx_async_abort: %s\n# reg_file_data_sampling: %s\n",
	       h->mds, h->taa, h->rfds);
	printf("# l1tf: %s\n# spectre_v2: %s\n# retbleed: %s\n# vmscape: %s\n",
	       h->l1tf, h->spectre_v2, h->retbleed, h->vmscape);
	printf("# cpuinfo flush_l1d: %s, md_clear: %s, ibpb: %s\n",
	       has_word(h->cpu_flags, "flush_l1d") ? "yes" : "no",
	       has_word(h->cpu_flags, "md_clear") ? "yes" : "no",
	       has_word(h->cpu_flags, "ibpb") ? "yes" : "no");
}

FIXTURE(spec) {
	int fd;
	struct host_state host;
};

FIXTURE_SETUP(spec)
{
	self->fd = open(NVMX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", NVMX_DEV, strerror(errno));
	host_state_read(&self->host);
}

FIXTURE_TEARDOWN(spec)
{
	close(self->fd);
}

TEST_F(spec, mitigations_follow_the_kernel)
{
	char got[256], want[256];
	struct nvmx_status st;
	__u64 expected;

	/* Without them the derivation below has nothing to go on. */
	ASSERT_NE('\0', self->host.spectre_v2[0]);
	ASSERT_NE('\0', self->host.cpu_flags[0]);
	/* This form of the line hides the IBPB, PBRSB and BHI parts. */
	if (starts_with(self->host.spectre_v2, "Vulnerable: eIBRS"))
		SKIP(return, "spectre_v2 says only \"%s\"", self->host.spectre_v2);

	host_state_log(&self->host);
	expected = expected_mitigations(&self->host);
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(NVMX_STATUS_SIZE_VER1, st.size);
	EXPECT_EQ(expected, st.mitigations)
		TH_LOG("nvmx applies %s, the kernel asks for %s",
		       flags_str(st.mitigations, got, sizeof(got)),
		       flags_str(expected, want, sizeof(want)));
	printf("# nvmx: %s\n", flags_str(st.mitigations, got, sizeof(got)));
}

TEST_F(spec, mitigations_off_means_none)
{
	struct nvmx_status st;

	if (!has_word(self->host.cmdline, "mitigations=off"))
		SKIP(return, "the kernel runs with mitigations");
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(0, st.mitigations);
	/* The derivation agrees, or mitigations_follow_the_kernel is moot. */
	EXPECT_EQ(0, expected_mitigations(&self->host));
}

TEST_F(spec, profile_expectation)
{
	const char *pin = getenv("NVMX_SPEC_EXPECT");
	char got[256], want[256];
	__u64 m;

	if (!pin)
		SKIP(return, "NVMX_SPEC_EXPECT is not set");
	ASSERT_EQ(0, flags_parse(pin, &m)) TH_LOG("NVMX_SPEC_EXPECT=%s", pin);
	EXPECT_EQ(m, expected_mitigations(&self->host))
		TH_LOG("the kernel asks for %s, the profile expects %s",
		       flags_str(expected_mitigations(&self->host), got,
				 sizeof(got)),
		       flags_str(m, want, sizeof(want)));
}

TEST_F(spec, stable_across_calls)
{
	struct nvmx_status a, b;
	int vm;

	ASSERT_EQ(0, nvmx_get_status(self->fd, &a));
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	ASSERT_EQ(0, nvmx_get_status(self->fd, &b));
	close(vm);
	/* Chosen once at load: a VM changes nothing. */
	EXPECT_EQ(a.mitigations, b.mitigations);
}

/* A caller built against the first version still gets what it knows. */
TEST_F(spec, ver0_size_still_accepted)
{
	union {
		struct nvmx_status st;
		unsigned char raw[sizeof(struct nvmx_status)];
	} u;
	unsigned int i;

	memset(&u, 0xa5, sizeof(u));
	memset(&u, 0, NVMX_STATUS_SIZE_VER0);
	u.st.size = NVMX_STATUS_SIZE_VER0;
	ASSERT_EQ(0, ioctl(self->fd, NVMX_GET_STATUS, &u.st));
	EXPECT_EQ(NVMX_STATUS_SIZE_VER0, u.st.size);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), u.st.online_cpus);
	/* Nothing written past the size the caller gave. */
	for (i = NVMX_STATUS_SIZE_VER0; i < sizeof(u); i++)
		EXPECT_EQ(0xa5, u.raw[i]) TH_LOG("byte %u", i);
}

/* A newer caller's bytes beyond VER1 must be zero, as for every struct. */
TEST_F(spec, bigger_size_needs_zero_tail)
{
	struct {
		struct nvmx_status st;
		__u64 tail;
	} big;

	memset(&big, 0, sizeof(big));
	big.st.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, NVMX_GET_STATUS, &big));
	EXPECT_EQ(NVMX_STATUS_SIZE_VER1, big.st.size);
	big.st.size = sizeof(big);
	big.tail = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_STATUS, &big));
	EXPECT_EQ(E2BIG, errno);
}

TEST_HARNESS_MAIN
