# quillfs: build, try out, test, install and benchmark.
# `make` alone runs `make run`. Needs GNU make 4.3 or later (grouped targets).

PREFIX     ?= /usr/local
BENCH_ARGS ?= -f 1 -wi 2 -i 3
MVN        ?= mvn
JAVA       ?= $(if $(JAVA_HOME),$(JAVA_HOME)/bin/java,java)

# Debian packages: Java and Maven to build, FUSE 3 and 2 to mount, e2fsprogs
# for the ext4 reference benchmarks, util-linux and mount for mkfs(8), fsck(8)
# and losetup (the tests format a loop device), git for the mount's tests,
# fuse2fs and python3 for `make bench-mount`.
DEB_PACKAGES = openjdk-17-jdk-headless maven fuse3 libfuse2 e2fsprogs util-linux mount git \
               fuse2fs python3

# The shaded jars that `mvn package` builds, and everything they are built from.
COMMAND_JARS := mkfs/target/quillfs-mkfs.jar fsck/target/quillfs-fsck.jar \
                fuse-mount/target/quillfs-fuse-mount.jar
BENCH_JAR    := bench/target/quillfs-benchmarks.jar
SOURCES      := $(shell find pom.xml */pom.xml */src -type f 2>/dev/null)

LAUNCHERS := bin/quillfs bin/mkfs.quillfs bin/fsck.quillfs bin/mount.quillfs \
             bin/quillfs-launch
SBINDIR    = $(DESTDIR)$(PREFIX)/sbin
JARDIR     = $(DESTDIR)$(PREFIX)/lib/quillfs
# mount(8) runs helpers from /sbin only (mount.TYPE, and mount.fuse.SUBTYPE for fuse.SUBTYPE).
MOUNT_HELPER_DIR = $(DESTDIR)/sbin
MOUNT_HELPERS    = mount.quillfs mount.fuse.quillfs

.PHONY: run deps build test install uninstall bench bench-mount clean golden-images
# Prerequisites run in the order written (deps before build), even with -j.
.NOTPARALLEL:

# Format a 1 GiB sparse image once, show its superblock, mount it at ./mnt.
run: deps build
	test -e quillfs.img || bin/mkfs.quillfs quillfs.img 1G
	bin/quillfs inspect quillfs.img superblock
	mkdir -p mnt
	@if mountpoint -q mnt; then \
	    echo "run: ./mnt is already mounted"; \
	else \
	    bin/mount.quillfs quillfs.img mnt && echo "run: quillfs.img is mounted at ./mnt"; \
	fi
	@echo "run: unmount it with 'umount mnt' (as root) or 'fusermount3 -u mnt'"

# Install the Debian packages that are missing (as root), else list them.
deps:
	@if ! command -v dpkg >/dev/null 2>&1; then \
	    echo "deps: not a Debian system; make sure these are installed: $(DEB_PACKAGES)"; \
	    exit 0; \
	fi; \
	missing=; \
	for p in $(DEB_PACKAGES); do \
	    dpkg -s $$p 2>/dev/null | grep -q '^Status: install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
	    echo "deps: missing Debian packages (install them as root):$$missing"; \
	    exit 0; \
	fi; \
	echo "deps: installing$$missing"; \
	apt-get update -q && \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing

# Package the jars, only when a pom.xml or a source file changed since.
build: $(COMMAND_JARS) $(BENCH_JAR)

$(COMMAND_JARS) $(BENCH_JAR) &: $(SOURCES)
	$(MVN) -B -q -DskipTests package

# Unit tests, then the integration tests against the packaged jars.
test: deps
	$(MVN) -B verify

# The deep crash campaign (docs/TESTING.md): at least CRASH_STATES crashed images from seed
# CRASH_SEED; CRASH_WORKLOADS (a regular expression on workload specs) picks some workloads;
# CRASH_REPLAY='WORKLOAD@POINT', as a failure prints it, replays that one case. Failed cases go
# to ./crash-failures.
CRASH_STATES ?= 1000000
CRASH_SEED   ?= 20261123
.PHONY: crash-test
crash-test:
	$(MVN) -B -pl fsck -am test -Dtest=CrashCampaignTest -Dsurefire.failIfNoSpecifiedTests=false \
	    -Dquillfs.crash.states=$(CRASH_STATES) -Dquillfs.crash.seed=$(CRASH_SEED) \
	    -Dquillfs.crash.workloads='$(CRASH_WORKLOADS)' -Dquillfs.crash.replay='$(CRASH_REPLAY)' \
	    -Dquillfs.crash.out=$(CURDIR)/crash-failures

# The concurrency stress test (fsck/.../stress/ConcurrencyStressTest.java, docs/CONCURRENCY.md):
# STRESS_THREADS threads of random operations for STRESS_SECONDS (make test runs it for 10 s).
STRESS_SECONDS ?= 60
STRESS_THREADS ?= 16
.PHONY: stress
stress:
	$(MVN) -B -pl fsck -am test -Dtest=ConcurrencyStressTest -Dsurefire.failIfNoSpecifiedTests=false \
	    -Dquillfs.stress.seconds=$(STRESS_SECONDS) -Dquillfs.stress.threads=$(STRESS_THREADS)

# Launchers and jars, then links in /sbin for mount -t quillfs and mount -t fuse.quillfs
# (unless $(PREFIX)/sbin is /sbin itself, where mount.quillfs already is).
install: build
	install -d $(SBINDIR) $(JARDIR) $(MOUNT_HELPER_DIR)
	install -m 755 $(LAUNCHERS) $(SBINDIR)/
	install -m 644 $(COMMAND_JARS) $(JARDIR)/
	for helper in $(MOUNT_HELPERS); do \
	    link=$(MOUNT_HELPER_DIR)/$$helper; \
	    if [ "$$(readlink -f $$link)" != "$$(readlink -f $(SBINDIR)/mount.quillfs)" ]; then \
	        ln -sfn $(PREFIX)/sbin/mount.quillfs $$link; \
	    fi; \
	done

uninstall:
	for helper in $(MOUNT_HELPERS); do \
	    link=$(MOUNT_HELPER_DIR)/$$helper; \
	    if [ "$$(readlink $$link)" = "$(PREFIX)/sbin/mount.quillfs" ]; then rm -f $$link; fi; \
	done
	rm -f $(addprefix $(SBINDIR)/,$(notdir $(LAUNCHERS)))
	rm -f $(addprefix $(JARDIR)/,$(notdir $(COMMAND_JARS)))
	rmdir $(JARDIR) 2>/dev/null || true

bench: build
	$(JAVA) -jar $(BENCH_JAR) $(BENCH_ARGS)

# The FUSE mount against fuse2fs and kernel ext4 (as root; a few minutes; see
# docs/BENCHMARKS.md). Options in MOUNT_BENCH_ARGS, e.g. --quick or --dir /srv/tmp.
MOUNT_BENCH_ARGS ?=
bench-mount: deps build
	bench/mount-compare.sh $(MOUNT_BENCH_ARGS)

# Make the golden images missing from test-images/images and remake the corrupted cases
# (only on purpose: see test-images/README.md).
golden-images: build
	$(JAVA) -cp mkfs/target/quillfs-mkfs.jar:test-images/target/classes org.quillfs.images.GoldenImages test-images/images
	$(JAVA) -cp fsck/target/quillfs-fsck.jar:test-images/target/classes org.quillfs.images.CorruptImages test-images/cases

clean:
	$(MVN) -q clean
