// The endpoint protocol's `candidate` message for an RTCPeerConnection `icecandidate` event
// (signaling/PROTOCOL.md), shared by the room page and the console's preview. null: nothing to
// send (an end of one generation, "" from older browsers); the MCU wants `""` once, when
// gathering is over (the event's candidate is null).
export function candidateMessage(candidate) {
  if (candidate && !candidate.candidate) return null;
  return candidate
    ? { type: 'candidate', candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex }
    : { type: 'candidate', candidate: '' };
}
