import type { Room } from 'livekit-client';
import {
  PROTOCOL_VERSION,
  TOPIC_CLIENT_EVENTS,
  type BrowserMethod,
  type ClientEvent,
  type ClientHello,
  type ModalityProfile,
  type PanelType,
} from '@/contracts';

export function cameraAllowed(profile: ModalityProfile): boolean {
  return profile === 'audio_camera' || profile === 'audio_camera_screen';
}

export function screenShareAllowed(profile: ModalityProfile): boolean {
  return profile === 'audio_screen' || profile === 'audio_camera_screen';
}

export function buildClientHello(
  methods: BrowserMethod[],
  panels: PanelType[],
  profile: ModalityProfile,
): ClientHello {
  return {
    type: 'hello',
    protocol_version: PROTOCOL_VERSION,
    rpc_methods: methods,
    panels,
    camera: cameraAllowed(profile),
    screen_share: screenShareAllowed(profile),
  };
}

/** Sends one client event to the agent(s) as a reliable text stream. */
export async function sendClientEvent(
  room: Pick<Room, 'localParticipant'>,
  event: ClientEvent,
): Promise<void> {
  await room.localParticipant.sendText(JSON.stringify(event), { topic: TOPIC_CLIENT_EVENTS });
}
