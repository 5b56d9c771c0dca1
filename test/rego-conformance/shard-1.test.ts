/** OPA conformance cases, shard 1 of 4 (folders split so the shards run in parallel). */
import { conformanceSuite, folderShard } from './suite.ts';

conformanceSuite('shard 1/4', folderShard(0, 4));
