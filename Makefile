# A thin router to npm scripts. Flags (STAGE, WEB_REPLICAS, ...) pass through the environment:
#   make local STAGE=3 LB_ALGORITHM=p2c
.PHONY: local down status stop start restart test up seed archive timeline reshard compose-shards db-status promote rejoin bench-db bench-lb bench-thumbnails bench-cdn bench-autoscale bench-shards bench-reshard bench plan drill deps build lint

export

deps:
	@scripts/install-deps.sh

build: deps
	@npm run --silent build

local: build
	@node dist/runner/cli.js up

down:
	@node dist/runner/cli.js down

status:
	@node dist/runner/cli.js status

# One service of the running native stack, through the runner that supervises it:
#   make stop SERVICE=mysql-primary   (stays stopped until `make start`)
stop start restart:
	@node dist/runner/cli.js $@ $(SERVICE)

test: deps
	@npm test

up:
	@scripts/compose-secrets.sh && docker compose up --build

seed: build
	@node dist/scripts/seed.js

archive: build
	@node dist/scripts/archive.js

timeline: build
	@node dist/scripts/timeline.js

# The compose override for SHARDS=2..8 from the plan: make compose-shards SHARDS=4 [DB_REPLICAS=1] [FEDERATION=on]
# (SHARDS=2 with the defaults rewrites docker-compose.shards.yml; others write docker-compose.shards-<N>...yml)
compose-shards: build
	@node dist/scripts/compose-shards.js

# Move logical shards to another shard server while writes run: make reshard MOVE=0-15 TO=mysql-shard-2
# (make reshard alone finishes a run that stopped half-way)
reshard: build
	@node dist/scripts/reshard.js

db-status: build
	@node dist/scripts/db-status.js

promote: build
	@node dist/scripts/promote.js

# An old primary (fenced after a promotion) rejoins as a replica: make rejoin [SERVICE=mysql-primary]
rejoin: build
	@node dist/scripts/rejoin.js

bench-db: build
	@node dist/loadtest/bench-db/cli.js $(ARGS)

# make load SCENARIO=read-heavy [MODE=rate|capacity|ramp RATE=200 DURATION=20] (loadtest/README.md)
load: build
	@node dist/loadtest/load/cli.js

# The stage matrix: make bench [BENCH_ONLY=stages,replicas,cache,reads REPEAT=2 STEP_SECONDS=5]
bench: build
	@node dist/loadtest/bench/cli.js

# A capacity plan from the latest make bench: make plan [PEAK_FACTOR=3]
plan: build
	@node dist/loadtest/plan/cli.js

bench-lb: build
	@node dist/loadtest/bench-lb/cli.js $(ARGS)

bench-thumbnails: build
	@node dist/loadtest/bench-thumbnails/cli.js $(ARGS)

bench-cdn: build
	@node dist/loadtest/bench-cdn/cli.js $(ARGS)

# The daily peak against a minimum fleet, a peak-sized fleet and the autoscaler (stage 5)
bench-autoscale: build
	@node dist/loadtest/bench-autoscale/cli.js

# Write throughput with 1, 2, 4 shard servers at a fixed DB_BOX_CPUS; the feed scatter vs timeline
bench-shards: build
	@node dist/loadtest/bench-shards/cli.js

# The online reshard under a write load: pause, errors, rows copied per second (SHARDS=2, ~3 min)
bench-reshard: build
	@node dist/loadtest/bench-reshard/cli.js

# Fault drills against the running stack: make drill [NAME=primary-kill] [LIST=1]
drill: build
	@node dist/loadtest/drills/cli.js

lint:
	@npm run --silent lint
