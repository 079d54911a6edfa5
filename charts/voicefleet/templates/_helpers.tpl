{{/* Names and labels only. */}}

{{- define "voicefleet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "voicefleet.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "voicefleet.operatorName" -}}{{ include "voicefleet.fullname" . }}-operator{{- end -}}
{{- define "voicefleet.edgeName" -}}{{ include "voicefleet.fullname" . }}-edge{{- end -}}
{{- define "voicefleet.edgeInternalName" -}}{{ include "voicefleet.fullname" . }}-edge-internal{{- end -}}
{{- define "voicefleet.edgeSetIdsName" -}}{{ include "voicefleet.fullname" . }}-edge-sets{{- end -}}
{{- define "voicefleet.edgeControlName" -}}{{ include "voicefleet.fullname" . }}-edge-control{{- end -}}
{{- define "voicefleet.rpcSecretName" -}}
{{- default (printf "%s-edge-rpc" (include "voicefleet.fullname" .)) .Values.edge.rpc.existingSecret -}}
{{- end -}}

{{/* Selector labels of one component: (dict "ctx" $ "component" "operator") */}}
{{- define "voicefleet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "voicefleet.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of one component: (dict "ctx" $ "component" "operator") */}}
{{- define "voicefleet.labels" -}}
{{ include "voicefleet.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: voicefleet
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}
