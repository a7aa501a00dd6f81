#!/usr/bin/env bash
# Regenerates the voice-catalog audio previews, public/assets/voices/<voice id>.ogg, from the
# INSERT rows of migrations/sqlite/0004_voice_catalog.sql (and checks the postgres copy matches).
#
# Run by hand after changing the catalog; the build never runs it and the .ogg files are committed.
# Needs espeak-ng (speech) and opus-tools (opusenc, opusinfo); when they are missing it installs
# them with apt-get (through sudo when not root). Idempotent: the same catalog and tool versions
# give byte-identical files (fixed Ogg serial numbers), and previews of removed voices are deleted.
#
# The previews are espeak-ng stand-ins so the catalog can be auditioned offline; they do not
# reproduce the provider's real voice. Each voice gets its language's espeak-ng voice plus the
# variant, pitch and speed in VOICE_STYLES below; every catalog row must have a line there.
set -euo pipefail
cd "$(dirname "$0")/.."

MIGRATION=migrations/sqlite/0004_voice_catalog.sql
MIGRATION_PG=migrations/postgres/0004_voice_catalog.sql
OUT=public/assets/voices
BITRATE=24         # kbit/s, mono Ogg Opus
MAX_BYTES=61440    # 60 KB per preview

say() { printf '\033[1;34m[voices]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[voices]\033[0m %s\n' "$*" >&2; exit 1; }

# --- tools -------------------------------------------------------------------------------------
if ! command -v espeak-ng >/dev/null || ! command -v opusenc >/dev/null || ! command -v opusinfo >/dev/null; then
  command -v apt-get >/dev/null || die "need espeak-ng and opus-tools (opusenc, opusinfo); install them first"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing espeak-ng and opus-tools"
  $sudo apt-get install -y espeak-ng opus-tools >/dev/null
fi

[ -f "$MIGRATION" ] || die "missing $MIGRATION"
if [ -f "$MIGRATION_PG" ] && ! cmp -s "$MIGRATION" "$MIGRATION_PG"; then
  die "$MIGRATION and $MIGRATION_PG differ; keep them identical"
fi

# --- per-voice style: id|espeak-ng variant|pitch 0-99|speed wpm|spoken name --------------------
# Spoken name: empty = the catalog name; "-" = a greeting without a name (descriptive names);
# anything else replaces the name in the sentence (native script for Hindi and Japanese).
VOICE_STYLES='
21m00Tcm4TlvDq8ikWAM|f3|55|165|
en-US-JennyNeural|f2|62|172|
aura-2-thalia-en|Annie|58|182|
nova|f4|66|178|
694f9389-aac1-45b6-b726-9d9369183238|Alicia|52|168|
pNInz6obpgDQGcFmaJgB|m3|34|155|
ErXwobaYiN019PkySvjV|m1|52|176|
echo|m2|44|168|
onyx|m7|24|152|
alloy|f5|38|170|
shimmer|f1|46|160|
coral|belinda|60|172|
aura-2-orion-en|m5|42|162|
a167e0f3-df7e-4d52-a9c3-f949145efdab|david|48|165|-
en-US-GuyNeural|john|40|175|
en-US-Neural2-F|steph|64|170|
en-US-Neural2-J|paul|46|164|
XrExE9yKIg1WjnnlVkGX|Andrea|56|158|
pqHfZKP75CvOlQylNhV4|grandpa|36|148|
Xb7hH8MSUJpSbSDYk0k2|f4|50|168|
JBFqnCBsd6RMkjVDRZzb|m6|30|154|
fable|robert|50|166|
aura-2-draco-en|m2|32|160|
en-GB-SoniaNeural|linda|54|163|
en-GB-Neural2-B|m4|28|146|
IKne3meq5aSn9XLyUdCD|Andy|46|174|
aura-2-theia-en|anika|62|170|
en-AU-Neural2-C|f2|70|180|
ff1bb1a9-c582-4570-9670-5f46169d0fc8|f3|60|166|-
en-IN-PrabhatNeural|max|44|170|
es-ES-ElviraNeural|f2|56|168|
aura-2-nestor-es|m3|40|160|Néstor
es-ES-Neural2-B|pablo|54|178|
aura-2-estrella-es|f4|52|160|
15d0c2e2-8d29-44c3-be23-d585d5f154a1|miguel|38|165|-
es-MX-JorgeNeural|m1|58|180|
aura-2-agathe-fr|f3|64|176|
fr-FR-DeniseNeural|belinda|50|162|
fr-FR-Neural2-B|michel|40|158|
aura-2-viktoria-de|f5|62|172|
de-DE-KatjaNeural|f1|52|164|
384b625b-da5d-49e8-a76d-a2855d4f31eb|m2|40|160|-
de-DE-Neural2-B|grandpa|30|150|
aura-2-livia-it|Annie|60|170|
it-IT-DiegoNeural|Marco|50|178|
it-IT-Neural2-A|f2|48|160|
700d1ee3-a641-4018-ba6e-899dcadc9e2b|f4|58|166|-
pt-BR-FranciscaNeural|f3|62|172|
pt-BR-Neural2-B|Henrique|42|168|
hi-IN-SwaraNeural|f2|58|160|स्वरा
c1abd502-9231-4558-a054-10ac950c356d|f1|48|150|-
hi-IN-Neural2-B|m3|40|156|अर्जुन
aura-2-izanami-ja|f3|56|160|イザナミ
ja-JP-KeitaNeural|m1|50|165|ケイタ
e8a863c6-22c7-4671-86ca-91cacffc038d|m2|38|158|-
ja-JP-Neural2-B|f5|66|168|ユイ
'

declare -A VARIANT PITCH SPEED SPOKEN USED
while IFS='|' read -r id variant pitch speed spoken; do
  [ -n "$id" ] || continue
  VARIANT[$id]=$variant; PITCH[$id]=$pitch; SPEED[$id]=$speed; SPOKEN[$id]=$spoken
done <<<"$VOICE_STYLES"

# espeak-ng falls back silently on an unknown variant, so check them against its list.
declare -A KNOWN_VARIANT
while read -r v; do KNOWN_VARIANT[$v]=1; done < <(espeak-ng --voices=variant | awk 'NR > 1 { sub(/^!v\//, "", $5); print $5 }')
for id in "${!VARIANT[@]}"; do
  [ -n "${KNOWN_VARIANT[${VARIANT[$id]}]:-}" ] || die "$id: espeak-ng has no variant '${VARIANT[$id]}'"
done

# espeak-ng language for a catalog language (BCP 47).
espeak_lang() {
  case "$1" in
    en-US) echo en-us ;;
    en-GB) echo en-gb-x-rp ;;
    en-AU | en-IN) echo en-gb ;;   # espeak-ng has no Australian or Indian English
    es-ES) echo es ;;
    es-MX) echo es-419 ;;
    fr-FR) echo fr-fr ;;
    de-DE) echo de ;;
    it-IT) echo it ;;
    pt-BR) echo pt-br ;;
    hi-IN) echo hi ;;
    ja-JP) echo ja ;;
    *) return 1 ;;
  esac
}

# The preview sentence: preview_text LANGUAGE GENDER NAME ("" = greeting without a name).
# Japanese is written in kana, as espeak-ng does not read kanji.
preview_text() {
  local lang=$1 gender=$2 name=$3 hi_can="सकता"
  [ "$gender" = female ] && hi_can="सकती"
  case "$lang:${name:+named}" in
    en-*:named) echo "Hi, I'm $name. I can help your callers book appointments and answer questions." ;;
    en-*:) echo "Hi, thanks for calling. I can help you book an appointment or answer your questions." ;;
    es-ES:named) echo "Hola, soy $name. Puedo ayudar a sus clientes a reservar citas y resolver sus dudas." ;;
    es-ES:) echo "Hola, gracias por llamar. Puedo ayudarle a reservar una cita o resolver sus dudas." ;;
    es-MX:named) echo "Hola, soy $name. Puedo ayudar a sus clientes a agendar citas y resolver sus dudas." ;;
    es-MX:) echo "Hola, gracias por llamar. Puedo ayudarle a agendar una cita o resolver sus dudas." ;;
    fr-FR:named) echo "Bonjour, je suis $name. Je peux aider vos clients à prendre rendez-vous et répondre à leurs questions." ;;
    fr-FR:) echo "Bonjour, merci de votre appel. Je peux vous aider à prendre rendez-vous ou répondre à vos questions." ;;
    de-DE:named) echo "Hallo, ich bin $name. Ich helfe Ihren Anrufern, Termine zu vereinbaren, und beantworte ihre Fragen." ;;
    de-DE:) echo "Guten Tag, danke für Ihren Anruf. Ich helfe Ihnen gern, einen Termin zu vereinbaren, und beantworte Ihre Fragen." ;;
    it-IT:named) echo "Buongiorno, sono $name. Posso aiutare i vostri clienti a prenotare appuntamenti e rispondere alle loro domande." ;;
    it-IT:) echo "Buongiorno, grazie per la chiamata. Posso aiutarla a prenotare un appuntamento o rispondere alle sue domande." ;;
    pt-BR:named) echo "Olá, eu sou $name. Posso ajudar seus clientes a marcar horários e tirar dúvidas." ;;
    pt-BR:) echo "Olá, tudo bem? Posso ajudar você a marcar um horário ou tirar suas dúvidas." ;;
    hi-IN:named) echo "नमस्ते, मैं $name हूँ। मैं आपके कॉलर्स को अपॉइंटमेंट बुक करने और उनके सवालों के जवाब देने में मदद कर $hi_can हूँ।" ;;
    hi-IN:) echo "नमस्ते, कॉल करने के लिए धन्यवाद। मैं अपॉइंटमेंट बुक करने और आपके सवालों के जवाब देने में मदद कर $hi_can हूँ।" ;;
    ja-JP:named) echo "こんにちわ、${name}です。ごよやくのうけつけや、ごしつもんえのおこたえを、おてつだいします。" ;;
    ja-JP:) echo "おでんわ、ありがとうございます。ごよやくのうけつけや、ごしつもんえのおこたえを、おてつだいします。" ;;
    *) return 1 ;;
  esac
}

# --- catalog rows: id, name, language, gender, preview_url (quoted values 1, 2, 4, 8 and 10) ----
# One row per line, as the migration is written; '' (an escaped quote) is kept through a placeholder.
rows=$(sed -nE "/^[[:space:]]*\('/{
  s/''/\x01/g
  s/^[[:space:]]*\('([^']*)', '([^']*)', '[^']*', '([^']*)', '[^']*', '[^']*', '[^']*', '([^']*)', '[^']*', '([^']*)'.*/\1\t\2\t\3\t\4\t\5/
  s/\x01/'/g
  p
}" "$MIGRATION")
[ -n "$rows" ] || die "no voice rows found in $MIGRATION"

mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

count=0
declare -A IN_CATALOG
while IFS=$'\t' read -r id name lang gender preview_url; do
  [[ "$id" =~ ^[A-Za-z0-9_-]+$ ]] || die "bad voice id '$id' (rows must be one per line, as written)"
  [ "$preview_url" = "/assets/voices/$id.ogg" ] || die "$id: preview_url is '$preview_url', want /assets/voices/$id.ogg"
  [ -z "${IN_CATALOG[$id]:-}" ] || die "duplicate voice id $id"
  IN_CATALOG[$id]=1
  [ -n "${VARIANT[$id]:-}" ] || die "$id ($name) has no line in VOICE_STYLES"
  USED[$id]=1
  elang=$(espeak_lang "$lang") || die "$id: no espeak-ng language for $lang"
  spoken=${SPOKEN[$id]}
  if [ -z "$spoken" ]; then spoken=$name; elif [ "$spoken" = "-" ]; then spoken=""; fi
  text=$(preview_text "$lang" "$gender" "$spoken") || die "$id: no preview sentence for $lang"

  espeak-ng -v "$elang+${VARIANT[$id]}" -p "${PITCH[$id]}" -s "${SPEED[$id]}" -w "$tmp/$id.wav" "$text"
  serial=$(( $(printf '%s' "$id" | cksum | cut -d' ' -f1) % 2147483647 ))
  opusenc --quiet --bitrate "$BITRATE" --downmix-mono --speech --serial "$serial" \
    --title "$name" --artist "espeak-ng stand-in preview" "$tmp/$id.wav" "$tmp/$id.ogg"
  opusinfo "$tmp/$id.ogg" >/dev/null || die "$id: opusinfo rejects the encoded preview"
  size=$(stat -c %s "$tmp/$id.ogg")
  [ "$size" -gt 1024 ] && [ "$size" -le "$MAX_BYTES" ] || die "$id: preview is $size bytes"
  mv "$tmp/$id.ogg" "$OUT/$id.ogg"
  count=$((count + 1))
done <<<"$rows"

for id in "${!VARIANT[@]}"; do
  [ -n "${USED[$id]:-}" ] || die "VOICE_STYLES has $id, which is not in the catalog"
done

# Drop previews of voices no longer in the catalog.
for f in "$OUT"/*.ogg; do
  [ -e "$f" ] || continue
  id=$(basename "$f" .ogg)
  if [ -z "${IN_CATALOG[$id]:-}" ]; then say "removing stale $f"; rm -f "$f"; fi
done

say "$count previews in $OUT ($(du -sh "$OUT" | cut -f1) in all)"
