/** rosbag2 bags: MCAP writing (as `ros2 bag record`), MCAP and sqlite3 reading, metadata.yaml. */
export { BagWriter, KESTREL_MCAP_LIBRARY, type BagTopic, type BagWriterOptions } from "./writer";
export { BagReader, openBag, type BagMessage, type BagProblem, type BagInfo, type BagTopicInfo, type BagFileSummary, type OpenBagOptions } from "./reader";
export { metadataYaml, parseMetadata, serializedMetadata, METADATA_VERSION, type BagMetadata, type TopicMetadata, type BagFileInfo } from "./metadata";
export { offeredQosYaml, parseOfferedQos, reportedQos } from "./qos-yaml";
export { typeDescriptionHash } from "./type-hash";
export { parseChunkCompression, CHUNK_COMPRESSIONS, type ChunkCompression } from "./compression";
export { bagInfoText } from "./info";
