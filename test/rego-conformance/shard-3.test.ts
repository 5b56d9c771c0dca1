/** OPA conformance cases, shard 3 of 4 (folders split so the shards run in parallel). */
import { conformanceSuite, folderShard } from './suite.ts';

conformanceSuite('shard 3/4', folderShard(2, 4));
