{{/* Chart name. */}}
{{- define "floatip.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Resource name prefix: <release>-floatip, or <release> when it already contains the chart name. */}}
{{- define "floatip.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "floatip.controller.fullname" -}}{{ include "floatip.fullname" . }}-controller{{- end -}}
{{- define "floatip.agent.fullname" -}}{{ include "floatip.fullname" . }}-agent{{- end -}}

{{- define "floatip.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels on every object. */}}
{{- define "floatip.labels" -}}
helm.sh/chart: {{ include "floatip.chart" . }}
app.kubernetes.io/name: {{ include "floatip.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: floatip
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component (controller or agent): call with (dict "ctx" $ "component" "agent"). */}}
{{- define "floatip.selectorLabels" -}}
app.kubernetes.io/name: {{ include "floatip.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "floatip.componentLabels" -}}
{{ include "floatip.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "floatip.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "floatip.controller.serviceAccountName" -}}
{{- if .Values.controller.serviceAccount.create -}}
{{- default (include "floatip.controller.fullname" .) .Values.controller.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.controller.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "floatip.agent.serviceAccountName" -}}
{{- if .Values.agent.serviceAccount.create -}}
{{- default (include "floatip.agent.fullname" .) .Values.agent.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.agent.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Namespaces whose Secrets the agent may read. */}}
{{- define "floatip.agent.secretNamespaces" -}}
{{- if .Values.agent.secretNamespaces -}}
{{- toYaml (uniq .Values.agent.secretNamespaces) -}}
{{- else -}}
{{- toYaml (list .Release.Namespace) -}}
{{- end -}}
{{- end -}}

{{/* Regex for the agents' Prometheus job label. */}}
{{- define "floatip.agent.jobRegex" -}}
{{- default (printf ".*%s.*" (include "floatip.agent.fullname" .)) .Values.monitoring.prometheusRule.agentJob -}}
{{- end -}}

{{/* HOST:PORT for --metrics-address; brackets around IPv6 addresses and $(HOST_IP), which may be one. */}}
{{- define "floatip.listen" -}}
{{- if or (contains ":" .host) (contains "$(" .host) -}}
[{{ .host }}]:{{ .port }}
{{- else -}}
{{ .host }}:{{ .port }}
{{- end -}}
{{- end -}}
