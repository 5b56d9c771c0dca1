/** OPA conformance cases, shard 2 of 4 (folders split so the shards run in parallel). */
import { conformanceSuite, folderShard } from './suite.ts';

conformanceSuite('shard 2/4', folderShard(1, 4));
