export { recorderNode, startRecorder, EPISODE_TOPIC, EPISODE_TYPE, type RecorderInstance, type RecorderParameters } from "./node";
export { recorderQos, publisherProfiles, RECORDER_DEPTH } from "./qos";
