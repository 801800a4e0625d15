/* eslint-disable */
/**
 * GENERATED FILE — do not edit.
 * Source: src/contracts/schema.json (exported from the Python `troupe_contracts` package).
 * Regenerate: `npm run gen:contracts` (in web/).
 */

export type ToolKind = 'builtin' | 'panel' | 'webhook';
/**
 * What the receiving agent sees of the conversation on a handoff (its context plan).
 *
 * ``preserve`` and ``reset`` are the names stored before context plans existed and keep their
 * behaviour: ``preserve`` is every message without tool calls plus a takeover note, ``reset``
 * is no history plus one summary line (the user's last words and the shared state).
 */
export type ContextPolicy =
  'all' | 'last_n' | 'conversation' | 'none' | 'summary' | 'preserve' | 'reset';
export type VariableType = 'string' | 'number' | 'integer' | 'boolean';
/**
 * Comparisons a rejection rule may make. Every op but ``exists``/``missing`` is false when
 * the variable is not set; ``lt``/``lte``/``gt``/``gte`` compare numbers only.
 */
export type RuleOp =
  'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'in' | 'not_in' | 'exists' | 'missing';
export type VideoSource = 'camera' | 'screen';
/**
 * Interactive workspace panels the browser can render.
 */
export type PanelType = 'slides' | 'notepad' | 'code' | 'whiteboard' | 'document';
export type AgentEvent =
  | ActiveAgentEvent
  | HandoffEvent
  | ToolCallEvent
  | AgentErrorEvent
  | SessionEndingEvent
  | UploadReceivedEvent
  | UploadRejectedEvent;
/**
 * RPC methods the agent implements (the browser calls them).
 */
export type AgentMethod = 'troupe.user_action';
/**
 * RPC methods the browser implements (the agent calls them).
 */
export type BrowserMethod =
  | 'troupe.request_camera'
  | 'troupe.request_screen_share'
  | 'troupe.send_ui_action'
  | 'troupe.open_url'
  | 'troupe.show_toast'
  | 'troupe.open_panel'
  | 'troupe.control_panel'
  | 'troupe.read_panel'
  | 'troupe.close_panel';
export type ClientEvent = ClientHello | PanelEvent;
export type CriterionStatus = 'passed' | 'failed' | 'skipped';
export type LogEntry =
  | MessageEntry
  | TransitionEntry
  | ToolCallEntry
  | PanelEventEntry
  | TurnMetricsEntry
  | UsageEntry
  | ErrorEntry;
/**
 * Which media the end user may publish besides the microphone.
 */
export type ModalityProfile = 'audio' | 'audio_camera' | 'audio_screen' | 'audio_camera_screen';
export type PanelCommand =
  | SlidesLoad
  | SlidesGoto
  | SlidesStep
  | NotepadSet
  | NotepadClear
  | CodeSet
  | CodeHighlight
  | CodeAnnotate
  | CodeClearMarks
  | WhiteboardDraw
  | WhiteboardSimple
  | DocumentLoad
  | DocumentGoto
  | DocumentZoom
  | DocumentHighlight;
export type PanelState = SlidesState | NotepadState | CodeState | WhiteboardState | DocumentState;
export type ProviderRole = 'stt' | 'llm' | 'tts';
/**
 * Which audio a recording file holds (mono Ogg/Opus each).
 */
export type RecordingKind = 'user' | 'agent' | 'mixed';
export type RpcErrorCode =
  'refused' | 'unsupported' | 'invalid' | 'failed' | 'forbidden' | 'timeout';
/**
 * Lifecycle of a session; it only ever moves forward in this order. ``abandoned`` ends a
 * session the end user never joined, or left within seconds: it is not a conversation, so it
 * is neither billed nor counted in usage.
 */
export type SessionStatus = 'created' | 'active' | 'completed' | 'failed' | 'abandoned';
export type SimulationMode = 'text' | 'audio';
export type SimulationVerdict = 'passed' | 'failed' | 'error';

export interface ActiveAgentEvent {
  v: number;
  ts: string;
  type: 'active_agent';
  agent: string;
  name: string;
}
export interface AgentConfig {
  id: string;
  version: number;
  slug: string;
  name: string;
  instructions: string;
  greeting: string;
  stt: string;
  llm: string;
  tts: string;
  voice: string | null;
  tools: ToolConfig[];
  handoffs: HandoffTarget[];
  modalities: VideoSource[];
  panels: PanelType[];
  vision: VisionSettings;
  /**
   * What the agent hears and speaks (STT language, TTS voice, replies).
   */
  language: string;
  /**
   * Knowledge bases the agent searches with the built-in search_knowledge tool.
   */
  knowledge_bases: string[];
  /**
   * Automatic retrieval: before each reply, the best passages for the user's turn (up to about this many tokens) are added to the context; 0 = off (the agent still has search_knowledge).
   */
  knowledge_auto_tokens: number;
  /**
   * The agent's avatar image (``/api/v1/avatars/<token>``, public, through the web app's ``/api``); the runtime sets it as ``troupe.active_agent_avatar`` when the agent becomes active. None: the page shows the name's initial.
   */
  avatar_url: string | null;
}
/**
 * A tool as the runtime needs it. Webhook secrets arrive decrypted, only to the runtime.
 */
export interface ToolConfig {
  name: string;
  kind: ToolKind;
  description: string;
  parameters: {
    [k: string]: unknown | undefined;
  };
  url: string | null;
  method: string;
  headers: {
    [k: string]: string | undefined;
  };
  timeout_s: number;
}
export interface HandoffTarget {
  agent: string;
  context_policy: ContextPolicy;
  /**
   * When to transfer, for the LLM.
   */
  description: string;
  /**
   * Messages passed with the ``last_n`` plan.
   */
  last_n: number | null;
  variables: HandoffVariable[];
  reject_when: RejectionRule | null;
}
/**
 * A value the LLM passes when it calls ``transfer_to_<agent>``; stored in the session's
 * shared state under ``name`` and visible to every agent's instructions as ``{{name}}``.
 */
export interface HandoffVariable {
  name: string;
  /**
   * What to pass, for the LLM.
   */
  description: string;
  type: VariableType;
  required: boolean;
}
/**
 * Refuses the handoff when its conditions hold on the shared state (variables, then notes).
 * The LLM gets ``message`` as the tool result and the conversation stays where it is. A rule
 * without conditions never refuses (the API refuses to store one).
 */
export interface RejectionRule {
  match: 'all' | 'any';
  conditions: RuleCondition[];
  message: string;
}
export interface RuleCondition {
  variable: string;
  op: RuleOp;
  value: boolean | number | string | (boolean | number | string)[] | null;
}
export interface VisionSettings {
  enabled: boolean;
  detail: string;
  fps_speaking: number;
  fps_silent: number;
  max_size: number;
}
export interface AgentErrorEvent {
  v: number;
  ts: string;
  type: 'agent_error';
  code: string;
  message: string;
  recoverable: boolean;
}
export interface HandoffEvent {
  v: number;
  ts: string;
  type: 'handoff';
  from_agent: string;
  to_agent: string;
}
export interface ToolCallEvent {
  v: number;
  ts: string;
  type: 'tool_call';
  agent: string;
  tool: string;
  status: 'started' | 'succeeded' | 'failed';
}
export interface SessionEndingEvent {
  v: number;
  ts: string;
  type: 'session_ending';
  reason: 'max_duration' | 'idle' | 'agent' | 'error';
}
/**
 * The agent read an upload (``TOPIC_UPLOADS``) and added it to the conversation.
 */
export interface UploadReceivedEvent {
  v: number;
  ts: string;
  type: 'upload_received';
  /**
   * The byte stream's id (what the browser's sendFile returned).
   */
  stream_id: string;
  name: string;
  mime_type: string;
  /**
   * Bytes received.
   */
  size: number;
  /**
   * PDF page count.
   */
  pages: number | null;
  /**
   * Characters of text handed to the agent.
   */
  chars: number;
  truncated: boolean;
  /**
   * Shown to the user, e.g. that this agent cannot see images.
   */
  note: string | null;
}
/**
 * The agent refused an upload; nothing of it reached the conversation.
 */
export interface UploadRejectedEvent {
  v: number;
  ts: string;
  type: 'upload_rejected';
  stream_id: string;
  name: string;
  reason: 'too_large' | 'unsupported_type' | 'not_allowed' | 'unreadable' | 'empty';
  message: string;
}
export interface AgentReply {
  agent: string;
  text: string;
}
/**
 * Sent by the browser on TOPIC_CLIENT_EVENTS right after joining: what it supports.
 */
export interface ClientHello {
  type: 'hello';
  protocol_version: number;
  rpc_methods: BrowserMethod[];
  panels: PanelType[];
  camera: boolean;
  screen_share: boolean;
}
/**
 * Browser -> agent on TOPIC_CLIENT_EVENTS: something the user did in a panel. Debounced
 * by the browser (content changes at most every 500 ms).
 */
export interface PanelEvent {
  type: 'panel_event';
  panel: PanelType;
  event:
    | 'opened'
    | 'closed'
    | 'slide_viewed'
    | 'link_clicked'
    | 'content_changed'
    | 'code_changed'
    | 'code_run'
    | 'drawing_changed'
    | 'page_viewed'
    | 'section_viewed'
    | 'annotation_added';
  data: {
    [k: string]: unknown | undefined;
  };
  ts: string;
}
export interface CodeAnnotate {
  op: 'code.annotate';
  line: number;
  message: string;
  severity: 'info' | 'warning' | 'error';
}
export interface CodeClearMarks {
  op: 'code.clear_marks';
}
export interface CodeHighlight {
  op: 'code.highlight';
  /**
   * @maxItems 500
   */
  lines: number[];
}
export interface CodeSet {
  op: 'code.set';
  code: string;
  language: 'python' | 'javascript' | 'typescript' | 'java' | 'cpp';
}
export interface CodeState {
  panel: 'code';
  code: string;
  language: 'python' | 'javascript' | 'typescript' | 'java' | 'cpp';
  last_run_output: string | null;
}
export interface ControlPanel {
  panel: PanelType;
  command:
    | SlidesLoad
    | SlidesGoto
    | SlidesStep
    | NotepadSet
    | NotepadClear
    | CodeSet
    | CodeHighlight
    | CodeAnnotate
    | CodeClearMarks
    | WhiteboardDraw
    | WhiteboardSimple
    | DocumentLoad
    | DocumentGoto
    | DocumentZoom
    | DocumentHighlight;
}
export interface SlidesLoad {
  op: 'slides.load';
  /**
   * @minItems 1
   * @maxItems 200
   */
  slides: [Slide, ...Slide[]];
  start_index: number;
}
export interface Slide {
  title: string;
  /**
   * @maxItems 20
   */
  bullets:
    | []
    | [string]
    | [string, string]
    | [string, string, string]
    | [string, string, string, string]
    | [string, string, string, string, string]
    | [string, string, string, string, string, string]
    | [string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string]
    | [string, string, string, string, string, string, string, string, string, string, string]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ]
    | [
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
        string,
      ];
  image_url: string | null;
  notes: string;
  link_url: string | null;
}
export interface SlidesGoto {
  op: 'slides.goto';
  index: number;
}
export interface SlidesStep {
  op: 'slides.next' | 'slides.prev';
}
export interface NotepadSet {
  op: 'notepad.set';
  text: string | null;
  placeholder: string | null;
}
export interface NotepadClear {
  op: 'notepad.clear';
}
export interface WhiteboardDraw {
  op: 'whiteboard.draw';
  /**
   * @minItems 1
   * @maxItems 200
   */
  shapes: [Shape, ...Shape[]];
}
export interface Shape {
  kind: 'rectangle' | 'ellipse' | 'line' | 'arrow' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  text: string | null;
  color: string;
}
export interface WhiteboardSimple {
  op: 'whiteboard.clear' | 'whiteboard.undo' | 'whiteboard.redo' | 'whiteboard.export';
}
export interface DocumentLoad {
  op: 'document.load';
  url: string;
}
export interface DocumentGoto {
  op: 'document.goto';
  page: number;
}
export interface DocumentZoom {
  op: 'document.zoom';
  scale: number;
}
export interface DocumentHighlight {
  op: 'document.highlight';
  page: number;
  text: string;
}
export interface CriterionResult {
  criterion:
    | (
        | HandoffCriterion
        | ToolCallCriterion
        | MustNotSayCriterion
        | MustSayCriterion
        | MaxTurnsCriterion
      )
    | null;
  name: string;
  status: CriterionStatus;
  reason: string;
}
/**
 * The conversation must reach agent ``to_agent`` through a handoff.
 */
export interface HandoffCriterion {
  type: 'handoff';
  to_agent: string;
}
/**
 * Some agent must call tool ``tool`` with arguments that contain ``arguments`` (subset
 * match: every given key equal) and whose values match ``argument_patterns`` (regular
 * expressions searched in the value's text, case-insensitive).
 */
export interface ToolCallCriterion {
  type: 'tool_call';
  tool: string;
  arguments: {
    [k: string]: unknown | undefined;
  };
  argument_patterns: {
    [k: string]: string | undefined;
  };
}
/**
 * No agent message may match ``pattern`` (a regular expression, case-insensitive).
 */
export interface MustNotSayCriterion {
  type: 'must_not_say';
  pattern: string;
}
/**
 * Some agent message must match ``pattern`` (a regular expression, case-insensitive).
 */
export interface MustSayCriterion {
  type: 'must_say';
  pattern: string;
}
/**
 * The conversation must finish within ``turns`` user turns: the script ran out, or the
 * persona declared its goal reached, by then.
 */
export interface MaxTurnsCriterion {
  type: 'max_turns';
  turns: number;
}
export interface DocumentState {
  panel: 'document';
  url: string | null;
  page: number;
  page_count: number;
  scale: number;
  annotations: {
    [k: string]: unknown | undefined;
  }[];
}
export interface ErrorBody {
  /**
   * Stable snake_case code clients switch on.
   */
  code: string;
  /**
   * Human-readable explanation.
   */
  message: string;
  details: {
    [k: string]: unknown | undefined;
  };
}
export interface ErrorEntry {
  /**
   * Per-session sequence number; (session, seq) is unique.
   */
  seq: number;
  ts: string;
  kind: 'error';
  source: 'stt' | 'llm' | 'tts' | 'tool' | 'runtime' | 'config';
  message: string;
  recoverable: boolean;
}
/**
 * ``{"error": {"code", "message", "details"}}``.
 */
export interface ErrorEnvelope {
  error: ErrorBody;
}
/**
 * An optional judge-model verdict: the LLM ``llm`` reads the transcript and says whether
 * the agents did ``intent``. Skipped (not failed) when that provider is unavailable.
 */
export interface JudgeSpec {
  llm: string;
  intent: string;
}
export interface KnowledgeChunkHit {
  chunk_id: string;
  document_id: string;
  knowledge_base_id: string;
  /**
   * The document's file name.
   */
  source: string;
  heading_path: string;
  page: number | null;
  text: string;
  score: number;
}
export interface KnowledgeSearchRequest {
  query: string;
  /**
   * The agent's attached knowledge bases; the API ignores any that are not the session organization's.
   */
  knowledge_base_ids: string[];
  limit: number;
}
export interface KnowledgeSearchResult {
  query: string;
  chunks: KnowledgeChunkHit[];
}
export interface MessageEntry {
  /**
   * Per-session sequence number; (session, seq) is unique.
   */
  seq: number;
  ts: string;
  kind: 'message';
  role: 'user' | 'assistant' | 'system';
  agent: string | null;
  text: string;
  interrupted: boolean;
  started_at: string | null;
  ended_at: string | null;
}
export interface TransitionEntry {
  /**
   * Per-session sequence number; (session, seq) is unique.
   */
  seq: number;
  ts: string;
  kind: 'transition';
  from_agent: string | null;
  to_agent: string;
  context_policy: string;
  /**
   * Shared-state variables the handoff set.
   */
  variables: {
    [k: string]: unknown | undefined;
  };
  /**
   * How the summary plan's summary was made.
   */
  summary_method: ('llm' | 'extractive') | null;
}
export interface ToolCallEntry {
  /**
   * Per-session sequence number; (session, seq) is unique.
   */
  seq: number;
  ts: string;
  kind: 'tool_call';
  agent: string;
  tool: string;
  arguments: {
    [k: string]: unknown | undefined;
  };
  result: string | null;
  error: string | null;
  latency_ms: number | null;
}
export interface PanelEventEntry {
  /**
   * Per-session sequence number; (session, seq) is unique.
   */
  seq: number;
  ts: string;
  kind: 'panel_event';
  panel: string;
  event: string;
  data: {
    [k: string]: unknown | undefined;
  };
}
export interface TurnMetricsEntry {
  /**
   * Per-session sequence number; (session, seq) is unique.
   */
  seq: number;
  ts: string;
  kind: 'turn_metrics';
  agent: string | null;
  end_of_utterance_delay_ms: number | null;
  transcription_delay_ms: number | null;
  llm_ttft_ms: number | null;
  llm_ttfs_ms: number | null;
  tts_ttfb_ms: number | null;
  e2e_latency_ms: number | null;
}
export interface UsageEntry {
  /**
   * Per-session sequence number; (session, seq) is unique.
   */
  seq: number;
  ts: string;
  kind: 'usage';
  provider: string;
  model: string;
  llm_input_tokens: number;
  llm_output_tokens: number;
  stt_seconds: number;
  tts_characters: number;
  tts_seconds: number;
  vision_frames: number;
}
/**
 * request_camera / request_screen_share: the user sees ``reason`` in a consent prompt.
 */
export interface MediaRequest {
  reason: string;
}
export interface MediaResult {
  granted: boolean;
  source: 'camera' | 'screen';
}
export interface NotepadState {
  panel: 'notepad';
  text: string;
  words: number;
  characters: number;
}
export interface OpenPanel {
  panel: PanelType;
  title: string | null;
  /**
   * Applied right after opening.
   */
  command:
    | (
        | SlidesLoad
        | SlidesGoto
        | SlidesStep
        | NotepadSet
        | NotepadClear
        | CodeSet
        | CodeHighlight
        | CodeAnnotate
        | CodeClearMarks
        | WhiteboardDraw
        | WhiteboardSimple
        | DocumentLoad
        | DocumentGoto
        | DocumentZoom
        | DocumentHighlight
      )
    | null;
}
export interface OpenUrl {
  url: string;
  new_tab: boolean;
}
/**
 * close_panel: whether a panel was open and is now closed.
 */
export interface PanelClosedData {
  closed: boolean;
}
/**
 * A panel image sent on ``TOPIC_PANEL_IMAGES`` as a byte stream with this id.
 */
export interface PanelImageRef {
  stream_id: string;
  mime_type: 'image/png';
  size: number;
}
/**
 * Browser -> agent on ``TOPIC_TRANSIENT``, **lossy**: where the user's pointer is over a
 * panel and, while they draw on the whiteboard, the stroke so far. Sent at most every 50 ms
 * while the pointer moves; a lost packet is replaced by the next and one older than the last
 * received (``seq``) is dropped. The finished stroke arrives reliably (``drawing_changed``).
 */
export interface PanelPointer {
  type: 'panel_pointer';
  panel: PanelType;
  /**
   * Increases with every packet of this page.
   */
  seq: number;
  /**
   * Board units on the whiteboard (1200 x 800); else 0..1 of the panel.
   */
  x: number;
  y: number;
  drawing: boolean;
  /**
   * The latest points (x, y pairs, board units) of the stroke being drawn.
   *
   * @maxItems 200
   */
  stroke: number[];
}
/**
 * read_panel / close_panel.
 */
export interface PanelRef {
  panel: PanelType;
}
export interface SlidesState {
  panel: 'slides';
  index: number;
  count: number;
  title: string | null;
  dwell_ms: {
    [k: string]: number | undefined;
  };
}
export interface WhiteboardState {
  panel: 'whiteboard';
  shape_count: number;
  /**
   * Simplified elements.
   */
  shapes: {
    [k: string]: unknown | undefined;
  }[];
  png_base64: string | null;
}
/**
 * open_panel / control_panel / read_panel: the panel's state after the call (no PNG in it:
 * images travel as ``image``).
 */
export interface PanelStateData {
  state: SlidesState | NotepadState | CodeState | WhiteboardState | DocumentState;
  image: PanelImageRef | null;
}
/**
 * An organization's own key for one provider, decrypted: it reaches only the runtime.
 */
export interface ProviderCredential {
  api_key: string;
  /**
   * For ``openai-compatible`` only.
   */
  base_url: string | null;
}
/**
 * One selectable model of one provider.
 */
export interface ProviderSpec {
  /**
   * ``provider/model``, e.g. ``local/piper-joe``.
   */
  id: string;
  role: ProviderRole;
  label: string;
  /**
   * Runs on this machine with no network and no key.
   */
  offline: boolean;
  /**
   * Keys it needs.
   */
  requires_env: string[];
  streaming: boolean;
  tool_calling: boolean;
  /**
   * An LLM that accepts images in its context (camera/screen frames, uploaded images, whiteboard PNGs). A vision-enabled agent on an LLM without it is told it cannot see instead of being sent frames.
   */
  vision: boolean;
  languages: string[];
  voices: string[];
  notes: string;
  /**
   * Deterministic fake; only in test mode.
   */
  test_only: boolean;
}
/**
 * read_panel: the panel's state; with ``image`` (whiteboard only) the browser also sends a
 * PNG of the panel on ``TOPIC_PANEL_IMAGES`` and names its stream in ``PanelStateData``.
 */
export interface ReadPanel {
  panel: PanelType;
  image: boolean;
}
/**
 * Whether the session is recorded, and the consent text the page shows before joining and
 * beside the "REC" badge during the call.
 */
export interface RecordingNotice {
  enabled: boolean;
  consent_text: string;
}
/**
 * The API's answer to an upload; uploading the same kind again replaces the file.
 */
export interface RecordingUploadResult {
  kind: RecordingKind;
  size_bytes: number;
  duration_ms: number;
}
export interface RpcError {
  code: RpcErrorCode;
  message: string;
}
/**
 * The one response shape of every RPC: ``ok`` with ``data``, or not ok with ``error``.
 */
export interface RpcResult {
  ok: boolean;
  data: {
    [k: string]: unknown | undefined;
  };
  error: RpcError | null;
}
export interface Scenario {
  name: string;
  goal: string;
  persona: string;
  template_id: string | null;
  user: SimulatedUser;
  mocks: {
    [k: string]: ToolMock | undefined;
  };
  /**
   * @maxItems 50
   */
  criteria: (
    | HandoffCriterion
    | ToolCallCriterion
    | MustNotSayCriterion
    | MustSayCriterion
    | MaxTurnsCriterion
  )[];
  judge: JudgeSpec | null;
  max_turns: number;
  /**
   * Session variables the simulated session starts with: the template's declared variables, checked as a session start checks them (session_variables_invalid).
   */
  variables: {
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^[a-z][a-z0-9_]{0,47}$".
     */
    [k: string]: boolean | number | string | undefined;
  };
}
/**
 * Who talks to the agents. Offline default: the scripted ``turns``, said in order. With
 * ``persona_llm`` (a ``provider/model`` id) and that provider's key available, an LLM plays
 * the persona towards the goal instead, for at most the scenario's ``max_turns``.
 */
export interface SimulatedUser {
  /**
   * @maxItems 50
   */
  turns: string[];
  persona_llm: string | null;
}
/**
 * What a tool returns in the simulation instead of running: a ``result`` the model reads,
 * or an ``error`` it reacts to (as a ``ToolError``). Exactly one of the two.
 */
export interface ToolMock {
  result: string | null;
  error: string | null;
}
export interface SessionConfig {
  session_id: string;
  organization_id: string;
  template_id: string | null;
  initial_agent: string;
  agents: AgentConfig[];
  modality_profile: ModalityProfile;
  enabled_panels: PanelType[];
  idle_timeout_s: number;
  max_duration_s: number;
  record_audio: boolean;
  /**
   * Shown to the user when record_audio is on (the runtime records only then).
   */
  recording_consent_text: string;
  /**
   * How the runtime decides the user has finished: 'smart_turn' (a short pause, then the offline Smart Turn model; unfinished sentences wait longer) or 'vad' (a fixed silence of about a second).
   */
  endpointing: 'smart_turn' | 'vad';
  /**
   * Silence after the end of speech before a turn ends ('smart_turn': after a sentence the model calls finished); null = the mode's default (250 ms Smart Turn, 500 ms VAD).
   */
  endpointing_min_delay_ms: number | null;
  /**
   * The longest wait ('smart_turn': after a sentence the model calls unfinished); null = the mode's default (2000 ms Smart Turn, 3000 ms VAD).
   */
  endpointing_max_delay_ms: number | null;
  /**
   * Suppress steady background noise in the user's microphone audio in the runtime (WebRTC's noise suppressor), before voice detection and speech recognition.
   */
  noise_suppression: boolean;
  /**
   * The organization's own provider keys by provider (``openai``, ``deepgram``, ``cartesia``, ``elevenlabs``, ``openai-compatible``, ...; see ``troupe_contracts.providers.ORG_KEY_PROVIDERS``). The runtime uses them for this session instead of the platform's keys; a provider missing here falls back to the platform's.
   */
  provider_keys: {
    [k: string]: ProviderCredential | undefined;
  };
  /**
   * The session's variables (given at session start, template defaults applied): every agent's instructions and greeting read them as ``{{name}}``.
   */
  variables: {
    [k: string]: boolean | number | string | undefined;
  };
}
/**
 * What the browser needs to join the room.
 */
export interface SessionConnection {
  session_id: string;
  room_name: string;
  livekit_url: string;
  participant_token: string;
  participant_identity: string;
  token_expires_at: string;
}
export interface SessionLogBatch {
  /**
   * @maxItems 500
   */
  entries: (
    | MessageEntry
    | TransitionEntry
    | ToolCallEntry
    | PanelEventEntry
    | TurnMetricsEntry
    | UsageEntry
    | ErrorEntry
  )[];
  /**
   * The runtime's last batch for this session.
   */
  final: boolean;
  close_reason: string | null;
}
/**
 * Status of one session.
 */
export interface SessionRead {
  id: string;
  organization_id: string;
  template_id: string | null;
  room_name: string;
  status: SessionStatus;
  end_user_id: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  duration_seconds: number | null;
  /**
   * Why it ended, once it has: e.g. user_left, idle, max_duration, never_connected, or agent_lost (its agent's worker stopped mid-session: status failed).
   */
  close_reason: string | null;
}
/**
 * Body of ``POST /api/v1/sessions``.
 */
export interface SessionStartRequest {
  /**
   * Session template to start; the organization's default when omitted.
   */
  template_id?: string | null;
  /**
   * Public embed key (end-user starts).
   */
  embed_key?: string | null;
  /**
   * Caller-chosen opaque id of the end user, for rate limits and logs.
   */
  end_user_id?: string | null;
  display_name?: string | null;
  /**
   * Values of the template's declared variables (``{{name}}`` in instructions and greetings); unknown names, wrong types and missing required ones are refused.
   */
  variables?: {
    /**
     * This interface was referenced by `undefined`'s JSON-Schema definition
     * via the `patternProperty` "^[a-z][a-z0-9_]{0,47}$".
     */
    [k: string]: boolean | number | string | undefined;
  };
}
/**
 * Response of ``POST /api/v1/sessions``.
 */
export interface SessionStartResponse {
  session: SessionRead;
  connection: SessionConnection;
  modality_profile: ModalityProfile;
  enabled_panels: PanelType[];
  recording: RecordingNotice;
}
export interface SimulatedHandoff {
  from_agent: string | null;
  to_agent: string;
}
export interface SimulatedToolCall {
  agent: string;
  name: string;
  arguments: {
    [k: string]: unknown | undefined;
  };
  output: string;
  is_error: boolean;
  mocked: boolean;
}
export interface SimulationResult {
  scenario: string;
  mode: SimulationMode;
  verdict: SimulationVerdict;
  turns: SimulationTurn[];
  criteria: CriterionResult[];
  error: string | null;
  duration_ms: number;
  user_turns: number;
  finished: boolean;
}
/**
 * One exchange: what the simulated user said (``None`` for the opening, before the user
 * speaks) and everything the agents did until they were done answering.
 */
export interface SimulationTurn {
  index: number;
  user_text: string | null;
  replies: AgentReply[];
  tool_calls: SimulatedToolCall[];
  handoffs: SimulatedHandoff[];
  agent: string;
  latency_ms: number | null;
}
export interface Toast {
  message: string;
  level: 'info' | 'success' | 'warning' | 'error';
}
/**
 * show_toast.
 */
export interface ToastShownData {
  shown: boolean;
}
/**
 * JSON embedded as the user's participant metadata and as the agent dispatch metadata.
 */
export interface TokenMetadata {
  protocol_version: number;
  session_id: string;
  organization_id: string;
  template_id: string | null;
  user_id: string;
  modality_profile: ModalityProfile;
  enabled_panels: PanelType[];
  /**
   * W3C trace context carried from the API to the runtime.
   */
  trace_context: {
    [k: string]: string | undefined;
  };
}
export interface UiAction {
  action: string;
  params: {
    [k: string]: unknown | undefined;
  };
}
/**
 * open_url: the user opened the (normalised) URL.
 */
export interface UrlOpenedData {
  opened: boolean;
  url: string;
}
/**
 * Browser -> agent: the user asked for something from the page (e.g. explain a line).
 */
export interface UserAction {
  action: string;
  panel?: PanelType | null;
  data?: {
    [k: string]: unknown | undefined;
  };
}

// Wire names and versions (from `x-constants`).
export const AGENT_IDENTITY_PREFIX = 'agent-' as const;
export const AGENT_NAME = 'troupe-agent' as const;
export const ATTR_ACTIVE_AGENT = 'troupe.active_agent' as const;
export const ATTR_ACTIVE_AGENT_AVATAR = 'troupe.active_agent_avatar' as const;
export const ATTR_ACTIVE_AGENT_NAME = 'troupe.active_agent_name' as const;
export const ATTR_AGENT_STATE = 'lk.agent.state' as const;
export const ATTR_SESSION_ID = 'troupe.session_id' as const;
export const AVATAR_MAX_BYTES = 1048576 as const;
export const AVATAR_MIME_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export const AVATAR_SIZE_PX = 256 as const;
export const CONFIG_INVALIDATE_CHANNEL = 'troupe.config.invalidate' as const;
export const LOSSY_MESSAGE_TYPES = ['panel_pointer'] as const;
export const PANEL_TOOL_VERBS = ['open', 'control', 'read', 'close'] as const;
export const PROTOCOL_VERSION = 1 as const;
export const TOPIC_CLIENT_EVENTS = 'troupe.client_events' as const;
export const TOPIC_EVENTS = 'troupe.events' as const;
export const TOPIC_FILES = 'troupe.files' as const;
export const TOPIC_PANEL_IMAGES = 'troupe.panel_images' as const;
export const TOPIC_TRANSIENT = 'troupe.transient' as const;
export const TOPIC_UPLOADS = 'troupe.uploads' as const;
export const TRANSIENT_MAX_BYTES = 1200 as const;
export const UPLOAD_MAX_BYTES = 10485760 as const;
export const UPLOAD_MIME_TYPES = [
  'application/pdf',
  'text/plain',
  'text/markdown',
  'image/png',
  'image/jpeg',
] as const;
export const USER_IDENTITY_PREFIX = 'user-' as const;
export const VISION_UNSUPPORTED_NOTE = 'vision needs a provider that supports images' as const;

// Providers the platform knows about (from `x-provider-catalog`).
export const PROVIDER_CATALOG: readonly ProviderSpec[] = [
  {
    id: 'local/whisper-tiny',
    role: 'stt',
    label: 'Whisper tiny.en (offline)',
    offline: true,
    requires_env: [],
    streaming: false,
    tool_calling: false,
    vision: false,
    languages: ['en'],
    voices: [],
    notes: 'faster-whisper on VAD-segmented utterances. English only.',
    test_only: false,
  },
  {
    id: 'local/smollm2',
    role: 'llm',
    label: 'SmolLM2-135M-Instruct (offline)',
    offline: true,
    requires_env: [],
    streaming: true,
    tool_calling: true,
    vision: false,
    languages: ['en'],
    voices: [],
    notes:
      'Tiny: fine for \'it talks\' and plain requests that name what they want ("Can I talk to Max?"); tool calls by constrained decoding, weak on paraphrases (agent/evals). English only.',
    test_only: false,
  },
  {
    id: 'local/gemma3-270m',
    role: 'llm',
    label: 'Gemma 3 270M (offline)',
    offline: true,
    requires_env: [],
    streaming: true,
    tool_calling: true,
    vision: false,
    languages: ['en'],
    voices: [],
    notes:
      'Tiny base model (not instruction-tuned); tool calls by constrained decoding, weak on paraphrases (agent/evals). English only.',
    test_only: false,
  },
  {
    id: 'local/piper-joe',
    role: 'tts',
    label: 'Piper en_US joe-medium (offline)',
    offline: true,
    requires_env: [],
    streaming: false,
    tool_calling: false,
    vision: false,
    languages: ['en'],
    voices: ['joe'],
    notes: 'One chunk per sentence. English only.',
    test_only: false,
  },
  {
    id: 'local/espeak',
    role: 'tts',
    label: 'eSpeak NG (offline fallback)',
    offline: true,
    requires_env: [],
    streaming: false,
    tool_calling: false,
    vision: false,
    languages: ['en'],
    voices: ['en-us', 'en-gb'],
    notes: '',
    test_only: false,
  },
  {
    id: 'deepgram/nova-2',
    role: 'stt',
    label: 'Deepgram Nova-2',
    offline: false,
    requires_env: ['DEEPGRAM_API_KEY'],
    streaming: true,
    tool_calling: false,
    vision: false,
    languages: ['en', 'multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'deepgram/nova-3',
    role: 'stt',
    label: 'Deepgram Nova-3',
    offline: false,
    requires_env: ['DEEPGRAM_API_KEY'],
    streaming: true,
    tool_calling: false,
    vision: false,
    languages: ['en', 'multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'openai/gpt-4.1-mini',
    role: 'llm',
    label: 'OpenAI GPT-4.1 mini',
    offline: false,
    requires_env: ['OPENAI_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: true,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'openai/gpt-4.1',
    role: 'llm',
    label: 'OpenAI GPT-4.1',
    offline: false,
    requires_env: ['OPENAI_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: true,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'openai/gpt-4o',
    role: 'llm',
    label: 'OpenAI GPT-4o',
    offline: false,
    requires_env: ['OPENAI_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: true,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'anthropic/claude-sonnet-4-6',
    role: 'llm',
    label: 'Anthropic Claude Sonnet 4.6',
    offline: false,
    requires_env: ['ANTHROPIC_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: true,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'anthropic/claude-3-5-haiku-20241022',
    role: 'llm',
    label: 'Anthropic Claude 3.5 Haiku',
    offline: false,
    requires_env: ['ANTHROPIC_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: false,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'google/gemini-2.5-flash',
    role: 'llm',
    label: 'Google Gemini 2.5 Flash',
    offline: false,
    requires_env: ['GOOGLE_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: true,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'groq/llama-3.3-70b-versatile',
    role: 'llm',
    label: 'Groq Llama 3.3 70B',
    offline: false,
    requires_env: ['GROQ_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: false,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'groq/llama-3.1-8b-instant',
    role: 'llm',
    label: 'Groq Llama 3.1 8B Instant',
    offline: false,
    requires_env: ['GROQ_API_KEY'],
    streaming: true,
    tool_calling: true,
    vision: false,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'openai-compatible/default',
    role: 'llm',
    label: 'OpenAI-compatible server (OPENAI_BASE_URL, e.g. Ollama, vLLM, llama.cpp)',
    offline: true,
    requires_env: ['OPENAI_BASE_URL'],
    streaming: true,
    tool_calling: true,
    vision: false,
    languages: ['multi'],
    voices: [],
    notes: '',
    test_only: false,
  },
  {
    id: 'cartesia/sonic',
    role: 'tts',
    label: 'Cartesia Sonic',
    offline: false,
    requires_env: ['CARTESIA_API_KEY'],
    streaming: true,
    tool_calling: false,
    vision: false,
    languages: ['multi'],
    voices: ['default'],
    notes: '',
    test_only: false,
  },
  {
    id: 'elevenlabs/eleven_turbo_v2_5',
    role: 'tts',
    label: 'ElevenLabs Turbo v2.5',
    offline: false,
    requires_env: ['ELEVEN_API_KEY'],
    streaming: true,
    tool_calling: false,
    vision: false,
    languages: ['multi'],
    voices: ['default'],
    notes: '',
    test_only: false,
  },
  {
    id: 'openai/gpt-4o-mini-tts',
    role: 'tts',
    label: 'OpenAI gpt-4o-mini-tts',
    offline: false,
    requires_env: ['OPENAI_API_KEY'],
    streaming: false,
    tool_calling: false,
    vision: false,
    languages: ['multi'],
    voices: [
      'alloy',
      'ash',
      'ballad',
      'coral',
      'echo',
      'fable',
      'nova',
      'onyx',
      'sage',
      'shimmer',
      'verse',
    ],
    notes:
      "OpenAI's built-in voices (OpenAI has no voice-list endpoint: this is its documented list).",
    test_only: false,
  },
  {
    id: 'fake/echo',
    role: 'llm',
    label: 'Test: echo LLM',
    offline: true,
    requires_env: [],
    streaming: true,
    tool_calling: true,
    vision: true,
    languages: ['en'],
    voices: [],
    notes: "Replies 'You said: <text>'. Deterministic. Accepts images (ignores them).",
    test_only: true,
  },
  {
    id: 'fake/scripted',
    role: 'llm',
    label: 'Test: scripted LLM',
    offline: true,
    requires_env: [],
    streaming: true,
    tool_calling: true,
    vision: true,
    languages: ['en'],
    voices: [],
    notes: '',
    test_only: true,
  },
  {
    id: 'fake/instant',
    role: 'stt',
    label: 'Test: instant STT',
    offline: true,
    requires_env: [],
    streaming: false,
    tool_calling: false,
    vision: false,
    languages: ['en'],
    voices: [],
    notes: 'Returns a scripted or fixed transcript at once on each VAD-ended utterance.',
    test_only: true,
  },
  {
    id: 'fake/tone',
    role: 'tts',
    label: 'Test: tone TTS',
    offline: true,
    requires_env: [],
    streaming: false,
    tool_calling: false,
    vision: false,
    languages: ['en'],
    voices: [],
    notes: 'Returns a short generated tone at once, in chunks. For latency benches.',
    test_only: true,
  },
];
