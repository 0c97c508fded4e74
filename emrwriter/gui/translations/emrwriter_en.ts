<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>App</name>
    <message>
        <location filename="../app.py" line="97"/>
        <source>EMRWriter is already open; switch to its window to go on working.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../app.py" line="106"/>
        <source>EMRWriter cannot start</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DraftPanel</name>
    <message>
        <location filename="../draft_panel.py" line="408"/>
        <location filename="../draft_panel.py" line="449"/>
        <source>Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="413"/>
        <source>No draft yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="462"/>
        <source>Drafting… Sections marked “data” are already filled from the record.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="479"/>
        <source>Filled from the record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="481"/>
        <location filename="../draft_panel.py" line="527"/>
        <source>Waiting for the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="501"/>
        <location filename="../draft_panel.py" line="539"/>
        <source>(empty)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="514"/>
        <source>Writing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="597"/>
        <source>Model {model}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="597"/>
        <source>No model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="598"/>
        <source>drafted {when}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="601"/>
        <source>stopped before the end</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="603"/>
        <source>incomplete sections: {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="610"/>
        <source>Left out of the model&apos;s reading (the record was larger than its context):</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EvidencePanel</name>
    <message>
        <location filename="../evidence_panel.py" line="115"/>
        <location filename="../evidence_panel.py" line="155"/>
        <source>Evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="122"/>
        <source>The record items this section was built from; select one to see it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="132"/>
        <source>Select a diagnosis, medication, lab result, document or draft section to see where it comes from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="175"/>
        <source>The record does not say where this came from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="184"/>
        <source>Import problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="191"/>
        <source>Sources of “{heading}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="196"/>
        <source>This section cites no record items.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="221"/>
        <source>(this file&apos;s text cannot be shown here)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="240"/>
        <source>File: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="242"/>
        <source>Location: {locator}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="244"/>
        <source>Characters {start}–{end}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>FindingsPanel</name>
    <message>
        <location filename="../findings_panel.py" line="52"/>
        <location filename="../findings_panel.py" line="91"/>
        <source>Findings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="54"/>
        <location filename="../findings_panel.py" line="92"/>
        <source>Draft a summary to check it against the record.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="59"/>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="59"/>
        <source>Section</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="59"/>
        <source>Finding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="63"/>
        <source>Choose a finding to see the words in the draft and the record&apos;s evidence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="132"/>
        <source>Checking the draft against the record…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="148"/>
        <source>The draft could not be checked: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="158"/>
        <source>Whole draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="168"/>
        <source>Findings ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="169"/>
        <source>high: {high}, other: {other}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="170"/>
        <source>sentences without support in the record: {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="174"/>
        <source>missing: {items}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="176"/>
        <source>every required item present</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="180"/>
        <source>High</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="180"/>
        <source>Medium</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="180"/>
        <source>Low</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="185"/>
        <source>Record: {quote}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../draft_panel.py" line="621"/>
        <source>History of “{heading}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="636"/>
        <source>Restore this version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="642"/>
        <source>No earlier versions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="651"/>
        <source>written by the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="652"/>
        <source>filled from the record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="653"/>
        <source>your edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="654"/>
        <source>restored</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="180"/>
        <source>Open &amp;file…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="182"/>
        <source>Open one record file: FHIR JSON/NDJSON, C-CDA XML, a note or a lab CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="184"/>
        <source>Open f&amp;older…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="187"/>
        <source>Open a folder holding one patient&apos;s records; every file in it is read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="188"/>
        <location filename="../main_window.py" line="220"/>
        <source>&amp;Draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="190"/>
        <source>Draft the summary of the chosen stay with the chosen template and model (Ctrl+R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="191"/>
        <source>&amp;Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="193"/>
        <source>Stop the model; what it wrote so far is kept and marked incomplete (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="195"/>
        <source>&amp;Export to Word…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="198"/>
        <source>Save the draft, with your edits, as a Word document (Ctrl+E)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="199"/>
        <source>Add open findings to the Word file as &amp;comments</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="201"/>
        <source>Exported documents carry the checks&apos; findings as Word comments on the words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="202"/>
        <source>&amp;Model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="203"/>
        <source>Choose the language model and how it runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="204"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="206"/>
        <source>&amp;About EMRWriter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="210"/>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="213"/>
        <source>Open &amp;recent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="223"/>
        <source>&amp;Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="225"/>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="228"/>
        <source>System</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="234"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="239"/>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="247"/>
        <source>Template:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="251"/>
        <source>The kind of document to draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="264"/>
        <source>The model that writes the narrative sections; click to choose another</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="270"/>
        <source>Who writes the narrative sections (hospital course, condition at discharge): the model, from the record and the stay&apos;s timeline; or the record itself, the timeline&apos;s sentences, each cited (no model: a draft in seconds)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="272"/>
        <source>Narrative: by the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="273"/>
        <source>Narrative: from the record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="292"/>
        <source>How fast the model wrote the last section</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="294"/>
        <source>The model used for drafting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="363"/>
        <source>Open a record file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="365"/>
        <source>Records (*.json *.ndjson *.xml *.txt *.md *.csv *.tsv *.docx *.pdf);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="373"/>
        <source>Open a patient&apos;s folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="385"/>
        <source>Opening {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="402"/>
        <source>name unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="406"/>
        <source>Choose the patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="407"/>
        <source>These files hold {n} patients. Whose record do you want to open?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="417"/>
        <source>The record could not be opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="418"/>
        <source>Cannot open the record</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="463"/>
        <source>Drafting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="463"/>
        <source>Stop drafting before choosing another stay.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="482"/>
        <location filename="../main_window.py" line="1001"/>
        <source>Drafting in progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="483"/>
        <source>The model is still writing. Stop it and open another case? What it wrote so far is saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="511"/>
        <source>Several items dropped: opening the first; drop a folder to open them together.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="536"/>
        <source>No recent cases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="560"/>
        <source>EMRWriter did not close properly last time. Restore the work from {time}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="563"/>
        <source>{patient}: edited {sections}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="566"/>
        <source>Restore your work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="582"/>
        <source>Open a patient&apos;s record to begin:
File ▸ Open folder… (Ctrl+Shift+O), File ▸ Open file… (Ctrl+O),
or drop a file or folder onto this window.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="593"/>
        <source>This record has no inpatient stay.
Choose the encounter to summarise on the left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="598"/>
        <source>No draft for this stay yet.
Choose a template and press Draft (Ctrl+R).

Sections marked “data” are filled exactly from the record;
sections marked “model” are written by the language model for you to check.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="646"/>
        <source>Evidence for the finding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="650"/>
        <source>Nothing in the record supports these words.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="678"/>
        <source>Draft again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="680"/>
        <source>You edited {sections}. A new draft replaces this one on screen; the edited draft stays saved in the database. Draft again?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="693"/>
        <source>The draft is checked against the record as soon as the model has finished.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="699"/>
        <location filename="../main_window.py" line="722"/>
        <source>Starting the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="699"/>
        <source>Writing from the record…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="710"/>
        <location filename="../main_window.py" line="734"/>
        <source>Template problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="727"/>
        <source>Stopping…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="764"/>
        <source>Loading the model {name}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="913"/>
        <source>… and {n} more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="916"/>
        <source>Unresolved findings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="917"/>
        <source>{n} high-severity findings are unresolved:
{findings}{more}

Export anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="969"/>
        <location filename="../main_window.py" line="970"/>
        <source>Model: {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="771"/>
        <source>Loading the model…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="451"/>
        <source>Opened — files: {files} · documents: {docs} · results: {obs} · import problems: {problems}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="776"/>
        <source>Reading the record: {done} of {total} tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="782"/>
        <source>Writing {section}: {n} tokens, {speed:.1f} tokens/s, {elapsed}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="786"/>
        <source>{speed:.1f} tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="807"/>
        <source>Stopped. What was written is kept; unfinished sections are marked incomplete.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="809"/>
        <source>Draft ready in {elapsed}. Check the model&apos;s sections against the sources.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="834"/>
        <source>“{heading}” written again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="851"/>
        <source>The model could not write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="884"/>
        <source>Earlier version of “{heading}” restored.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="902"/>
        <source>The draft is incomplete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="904"/>
        <source>These sections are incomplete: {sections}.
They will be marked so in the document. Export anyway?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="926"/>
        <source>Export to Word</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="926"/>
        <source>Word documents (*.docx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="935"/>
        <source>Replace file?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="935"/>
        <source>{name} exists. Replace it?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="942"/>
        <source>Export failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="947"/>
        <source>Exported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="947"/>
        <source>Saved as {name}.
Open it now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="952"/>
        <source>patient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="968"/>
        <source>no model installed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="974"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="974"/>
        <source>The new language is used the next time you start EMRWriter.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="979"/>
        <source>About EMRWriter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="981"/>
        <source>EMRWriter {version}

Drafts discharge summaries from a patient&apos;s local records with a language model on this computer. Nothing leaves the machine.

Every draft must be checked and signed by a doctor.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="989"/>
        <source>Could not save: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="993"/>
        <source>Saving failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="993"/>
        <source>Your work could not be saved:
{error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1001"/>
        <source>The model is still writing. Stop it and quit?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelWorker</name>
    <message>
        <location filename="../worker.py" line="211"/>
        <source>Replaced by a newer task before it started.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../worker.py" line="235"/>
        <source>Not enough memory for this model; choose a smaller model or a smaller context size.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../worker.py" line="239"/>
        <source>Internal error: {kind}: {message}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <location filename="../models_dialog.py" line="99"/>
        <source>Models and engine settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="107"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="107"/>
        <source>Size (MB)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="107"/>
        <source>Quantisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="107"/>
        <source>Context length</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="107"/>
        <source>Source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="119"/>
        <source>Add model...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="128"/>
        <source>Model&apos;s own</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="140"/>
        <source>Engine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="142"/>
        <source>CPU threads:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="143"/>
        <source>Context size (tokens):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="144"/>
        <source>GPU layers:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="176"/>
        <source>The chosen model cannot be used: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="182"/>
        <source>bundled default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="182"/>
        <source>models folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="182"/>
        <source>chosen file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="189"/>
        <source>unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="228"/>
        <source>Add a GGUF model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="228"/>
        <source>GGUF models (*.gguf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="235"/>
        <source>Not a usable model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="242"/>
        <source>Model already there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="243"/>
        <source>{folder} already holds a file named {name}; rename the new file to add it as well.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="251"/>
        <location filename="../models_dialog.py" line="290"/>
        <source>Could not add the model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="264"/>
        <source>Copying {name} to {folder}...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="265"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="329"/>
        <source>This model may need about {need:.1f} GB of memory at this context size, but only {free:.1f} GB is free. Drafting may fail or slow the computer down; choose a smaller model or context size.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RecordPanel</name>
    <message>
        <location filename="../record_panel.py" line="70"/>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="71"/>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="72"/>
        <location filename="../record_panel.py" line="102"/>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="73"/>
        <source>Author</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="76"/>
        <source>Diagnosis</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="77"/>
        <location filename="../record_panel.py" line="87"/>
        <source>Role</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="78"/>
        <location filename="../record_panel.py" line="88"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="79"/>
        <location filename="../record_panel.py" line="101"/>
        <source>Code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="80"/>
        <source>Onset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="83"/>
        <source>Medication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="84"/>
        <source>Dose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="85"/>
        <source>Route</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="86"/>
        <source>Frequency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="89"/>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="92"/>
        <source>Test</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="93"/>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="94"/>
        <source>Unit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="95"/>
        <source>Reference range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="96"/>
        <source>Flag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="97"/>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="100"/>
        <source>Procedure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="105"/>
        <source>Day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="106"/>
        <source>What</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="107"/>
        <source>Entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="110"/>
        <source>Substance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="111"/>
        <source>Reaction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="112"/>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="113"/>
        <source>Recorded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="120"/>
        <location filename="../record_panel.py" line="279"/>
        <source>Documents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="121"/>
        <source>Diagnoses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="122"/>
        <source>Medications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="123"/>
        <source>Labs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="124"/>
        <source>Procedures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="125"/>
        <source>Allergies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="126"/>
        <source>Timeline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="132"/>
        <source>presentation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="133"/>
        <source>on admission</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="134"/>
        <source>note of the day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="135"/>
        <source>procedure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="136"/>
        <source>medication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="137"/>
        <source>result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="138"/>
        <source>consultation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="139"/>
        <source>at discharge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="145"/>
        <source>Admission note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="146"/>
        <source>First progress note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="147"/>
        <source>Progress note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="148"/>
        <source>Operative note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="149"/>
        <source>Discharge summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="150"/>
        <source>Discharge orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="151"/>
        <source>Medication list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="152"/>
        <source>Orders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="153"/>
        <source>Summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="154"/>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="162"/>
        <source>admission</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="163"/>
        <source>discharge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="164"/>
        <source>post-operative</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="165"/>
        <source>working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="166"/>
        <source>history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="167"/>
        <source>home</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="168"/>
        <source>inpatient</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="175"/>
        <source>new</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="176"/>
        <source>changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="177"/>
        <source>continued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="178"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="184"/>
        <source>male</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="185"/>
        <source>female</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="186"/>
        <source>other</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="187"/>
        <source>sex not recorded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="192"/>
        <source>Inpatient stay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="193"/>
        <source>Emergency visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="194"/>
        <source>Outpatient visit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="196"/>
        <source>Encounter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="199"/>
        <source>{kind}: {start} – {end}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="201"/>
        <source>{kind}, dates unknown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="209"/>
        <source>this stay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="210"/>
        <source>before</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="211"/>
        <source>after</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="234"/>
        <location filename="../record_panel.py" line="370"/>
        <source>No case open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="237"/>
        <location filename="../record_panel.py" line="371"/>
        <source>Open a patient&apos;s record file or folder (File ▸ Open), or drop it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="242"/>
        <source>The stay the summary is about; inpatient stays are listed first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="243"/>
        <source>Choose the stay to summarise</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="247"/>
        <source>&amp;Stay:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="249"/>
        <source>Show other encounters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="251"/>
        <source>Also list items from before or after this stay (history); they are not used as this stay&apos;s facts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="302"/>
        <source>Import problems</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="307"/>
        <source>What could not be read from the record; check these before trusting the draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="321"/>
        <source>Recent cases</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="325"/>
        <source>Click a case to open it again, with its last draft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="337"/>
        <source>Name not recorded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="408"/>
        <source>born {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="411"/>
        <source>ID {ids}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="412"/>
        <source>{n} source files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="418"/>
        <source>Stay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="429"/>
        <source>Select a row to see its source in the evidence pane</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="466"/>
        <source>always</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="485"/>
        <source>Documents ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="501"/>
        <source>Import problems ({n})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="503"/>
        <source>Import problems: none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="535"/>
        <source>{kind}: {item}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SectionEditor</name>
    <message>
        <location filename="../draft_panel.py" line="121"/>
        <source>data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="121"/>
        <source>Filled exactly from the record&apos;s structured data</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="124"/>
        <source>model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="126"/>
        <source>Written by the language model: check every statement against the sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="128"/>
        <source>edited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="128"/>
        <source>You changed this section; your text is saved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="129"/>
        <source>incomplete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="133"/>
        <source>Sources</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="134"/>
        <source>Show the record items this section cites in the evidence pane</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="136"/>
        <source>History…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="137"/>
        <source>Earlier versions of this section; restore one</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="139"/>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="141"/>
        <source>Let the model write this section again (your current text stays in its history)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="188"/>
        <source>Built from the record&apos;s items; exported under the text as it is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="243"/>
        <source>Incomplete: {note}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
