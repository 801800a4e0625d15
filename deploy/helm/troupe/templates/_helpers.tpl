{{/* Names and labels. */}}
{{- define "troupe.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "troupe.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "troupe.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "troupe.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "troupe.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "troupe.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* selector labels: include with (dict "root" $ "component" "api") */}}
{{- define "troupe.selectorLabels" -}}
app.kubernetes.io/name: {{ include "troupe.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "troupe.image" -}}
{{- $tag := default .root.Chart.AppVersion .root.Values.images.tag -}}
{{- printf "%s%s:%s" .root.Values.images.registry .image $tag -}}
{{- end -}}

{{- define "troupe.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- printf "%s-secrets" (include "troupe.fullname" .) -}}
{{- end -}}
{{- end -}}

{{- define "troupe.configName" -}}
{{- printf "%s-config" (include "troupe.fullname" .) -}}
{{- end -}}

{{/* Environment shared by the API, the migrations job and the agent. */}}
{{- define "troupe.envFrom" -}}
- configMapRef:
    name: {{ include "troupe.configName" . }}
- secretRef:
    name: {{ include "troupe.secretName" . }}
{{- end -}}

{{- define "troupe.podSecurity" -}}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.images.pullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "troupe.metricsAnnotations" -}}
{{- if .root.Values.metrics.podAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
prometheus.io/job: {{ .job }}
{{- end }}
{{- end -}}

{{- define "troupe.validate" -}}
{{- if and (not .Values.secrets.existingSecret) (not .Values.secrets.create) -}}
{{- fail "set secrets.existingSecret (production) or secrets.create=true with secrets.values (dev)" -}}
{{- end -}}
{{- if and .Values.livekit.enabled (gt (int .Values.livekit.replicas) 1) (not .Values.livekit.redisAddress) -}}
{{- fail "livekit.replicas > 1 needs livekit.redisAddress (LiveKit's distributed mode)" -}}
{{- end -}}
{{- if not (has .Values.migrations.mode (list "hook" "job")) -}}
{{- fail "migrations.mode must be hook or job" -}}
{{- end -}}
{{- end -}}
