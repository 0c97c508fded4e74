<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <location filename="../app.py" line="102"/>
        <source>EMRWriter is already open; switch to its window to go on working.</source>
        <translation>EMRWriter 已经打开；请切换到它的窗口继续工作。</translation>
    </message>
    <message>
        <location filename="../app.py" line="111"/>
        <source>EMRWriter cannot start</source>
        <translation>EMRWriter 无法启动</translation>
    </message>
    <message>
        <location filename="../app.py" line="121"/>
        <source>The store was damaged</source>
        <translation>草稿数据库已损坏</translation>
    </message>
    <message>
        <location filename="../app.py" line="122"/>
        <source>The file that keeps your drafts could not be read ({reason}).

It was moved aside as {aside} and EMRWriter starts with an empty one. Your IT department may be able to recover it.</source>
        <translation>保存草稿的文件无法读取（{reason}）。

它已被移到一旁，改名为 {aside}，EMRWriter 以一个空的数据库启动。信息科也许能恢复它。</translation>
    </message>
</context>
<context>
    <name>DiagnosticsDialog</name>
    <message>
        <location filename="../diagnostics_dialog.py" line="26"/>
        <source>Diagnostics</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../diagnostics_dialog.py" line="37"/>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <location filename="../diagnostics_dialog.py" line="38"/>
        <source>Copy the whole report, to paste into a message to IT</source>
        <translation>复制完整报告，可粘贴到发给信息科的消息中</translation>
    </message>
    <message>
        <location filename="../diagnostics_dialog.py" line="39"/>
        <source>Check &amp;again</source>
        <translation>重新检查(&amp;A)</translation>
    </message>
    <message>
        <location filename="../diagnostics_dialog.py" line="65"/>
        <source>Checking this computer… Loading the model takes a moment.</source>
        <translation>正在检查本机……加载模型需要一点时间。</translation>
    </message>
    <message>
        <location filename="../diagnostics_dialog.py" line="85"/>
        <source>Problems found: {count}. Each is named at the end of the report.</source>
        <translation>发现 {count} 个问题，报告末尾逐条列出。</translation>
    </message>
    <message>
        <location filename="../diagnostics_dialog.py" line="88"/>
        <source>All checks passed.</source>
        <translation>全部检查通过。</translation>
    </message>
    <message>
        <location filename="../diagnostics_dialog.py" line="94"/>
        <source>The report is on the clipboard.</source>
        <translation>报告已复制到剪贴板。</translation>
    </message>
</context>
<context>
    <name>DraftPanel</name>
    <message>
        <location filename="../draft_panel.py" line="415"/>
        <location filename="../draft_panel.py" line="456"/>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="420"/>
        <source>No draft yet.</source>
        <translation>尚无草稿。</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="469"/>
        <source>Drafting… Sections marked “data” are already filled from the record.</source>
        <translation>正在起草……标为“数据”的段落已由病历数据填写。</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="486"/>
        <source>Filled from the record</source>
        <translation>由病历数据填写</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="488"/>
        <location filename="../draft_panel.py" line="534"/>
        <source>Waiting for the model…</source>
        <translation>等待模型……</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="508"/>
        <location filename="../draft_panel.py" line="546"/>
        <source>(empty)</source>
        <translation>（空）</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="521"/>
        <source>Writing…</source>
        <translation>正在书写……</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="604"/>
        <source>Model {model}</source>
        <translation>模型 {model}</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="604"/>
        <source>No model</source>
        <translation>未使用模型</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="605"/>
        <source>drafted {when}</source>
        <translation>起草于 {when}</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="608"/>
        <source>stopped before the end</source>
        <translation>未完成即已停止</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="610"/>
        <source>incomplete sections: {n}</source>
        <translation>{n} 个段落未完成</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="617"/>
        <source>Left out of the model&apos;s reading (the record was larger than its context):</source>
        <translation>未提供给模型的内容（病历超出了模型的上下文长度）：</translation>
    </message>
</context>
<context>
    <name>EvidencePanel</name>
    <message>
        <location filename="../evidence_panel.py" line="115"/>
        <location filename="../evidence_panel.py" line="155"/>
        <source>Evidence</source>
        <translation>依据</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="122"/>
        <source>The record items this section was built from; select one to see it</source>
        <translation>本段落依据的病历条目；选择一条查看原文</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="132"/>
        <source>Select a diagnosis, medication, lab result, document or draft section to see where it comes from.</source>
        <translation>选择一条诊断、用药、检验结果、文书或草稿段落，即可在此查看其来源原文。</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="175"/>
        <source>The record does not say where this came from.</source>
        <translation>病历中没有记录此条目的来源。</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="184"/>
        <source>Import problem</source>
        <translation>导入问题</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="191"/>
        <source>Sources of “{heading}”</source>
        <translation>“{heading}”的依据</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="196"/>
        <source>This section cites no record items.</source>
        <translation>本段落未引用病历条目。</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="221"/>
        <source>(this file&apos;s text cannot be shown here)</source>
        <translation>（此文件的文本无法在此显示）</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="240"/>
        <source>File: {name}</source>
        <translation>文件：{name}</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="242"/>
        <source>Location: {locator}</source>
        <translation>位置：{locator}</translation>
    </message>
    <message>
        <location filename="../evidence_panel.py" line="244"/>
        <source>Characters {start}–{end}</source>
        <translation>字符 {start}–{end}</translation>
    </message>
</context>
<context>
    <name>ExportLogDialog</name>
    <message>
        <location filename="../privacy.py" line="74"/>
        <source>Export log</source>
        <translation>导出记录</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="77"/>
        <source>When</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="78"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="79"/>
        <source>Case</source>
        <translation>病例</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="80"/>
        <source>Template</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="81"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="82"/>
        <source>Open findings (high / med. / low)</source>
        <translation>未解决的问题（高 / 中 / 低）</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="83"/>
        <source>Incomplete</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="84"/>
        <source>SHA-256</source>
        <translation>SHA-256</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="99"/>
        <source>Every Word document exported on this account, newest first. The log holds no patient text: a case is named by its number in EMRWriter and a short code of its path.</source>
        <translation>本账户导出的每份 Word 文档，最新的在前。记录中没有任何患者文字：病例以其在 EMRWriter 中的编号及其路径的简短代码表示。</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="103"/>
        <source>{n} damaged lines were skipped.</source>
        <translation>已跳过 {n} 行损坏的记录。</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="105"/>
        <source>Nothing has been exported on this account yet.</source>
        <translation>本账户尚未导出过任何文档。</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="118"/>
        <source>not checked</source>
        <translation>未检查</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="122"/>
        <source>command line</source>
        <translation>命令行</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="128"/>
        <source>no model</source>
        <translation>无模型</translation>
    </message>
</context>
<context>
    <name>FindingsPanel</name>
    <message>
        <location filename="../findings_panel.py" line="52"/>
        <location filename="../findings_panel.py" line="91"/>
        <source>Findings</source>
        <translation>核查结果</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="54"/>
        <location filename="../findings_panel.py" line="92"/>
        <source>Draft a summary to check it against the record.</source>
        <translation>起草出院记录后，即可对照病历核查。</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="59"/>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="59"/>
        <source>Section</source>
        <translation>段落</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="59"/>
        <source>Finding</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="63"/>
        <source>Choose a finding to see the words in the draft and the record&apos;s evidence</source>
        <translation>选择一条问题，即可查看草稿中的相应文字及病历依据</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="132"/>
        <source>Checking the draft against the record…</source>
        <translation>正在对照病历核查草稿……</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="148"/>
        <source>The draft could not be checked: {error}</source>
        <translation>无法核查草稿：{error}</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="159"/>
        <source>Whole draft</source>
        <translation>整份草稿</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="169"/>
        <source>Findings ({n})</source>
        <translation>核查结果（{n}）</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="171"/>
        <source>high: {high}, other: {other}</source>
        <translation>{high} 项高风险，{other} 项其他</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="172"/>
        <source>sentences without support in the record: {n}</source>
        <translation>{n} 句在病历中找不到依据</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="177"/>
        <source>missing: {items}</source>
        <translation>缺少：{items}</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="179"/>
        <source>every required item present</source>
        <translation>必填项目齐全</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="183"/>
        <source>High</source>
        <translation>高</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="183"/>
        <source>Medium</source>
        <translation>中</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="183"/>
        <source>Low</source>
        <translation>低</translation>
    </message>
    <message>
        <location filename="../findings_panel.py" line="188"/>
        <source>Record: {quote}</source>
        <translation>病历原文：{quote}</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <location filename="../draft_panel.py" line="628"/>
        <source>History of “{heading}”</source>
        <translation>“{heading}”的历史版本</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="643"/>
        <source>Restore this version</source>
        <translation>恢复此版本</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="649"/>
        <source>No earlier versions.</source>
        <translation>没有更早的版本。</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="658"/>
        <source>written by the model</source>
        <translation>模型书写</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="659"/>
        <source>filled from the record</source>
        <translation>病历数据填写</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="660"/>
        <source>your edit</source>
        <translation>您的修改</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="661"/>
        <source>restored</source>
        <translation>已恢复</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="181"/>
        <source>Open &amp;file…</source>
        <translation>打开文件(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="183"/>
        <source>Open one record file: FHIR JSON/NDJSON, C-CDA XML, a note or a lab CSV</source>
        <translation>打开单个病历文件：FHIR JSON/NDJSON、C-CDA XML、病程记录或检验 CSV</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="185"/>
        <source>Open f&amp;older…</source>
        <translation>打开文件夹(&amp;O)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="188"/>
        <source>Open a folder holding one patient&apos;s records; every file in it is read</source>
        <translation>打开存放一位患者病历的文件夹；其中每个文件都会被读取</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="189"/>
        <location filename="../main_window.py" line="230"/>
        <source>&amp;Draft</source>
        <translation>起草(&amp;D)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="191"/>
        <source>Draft the summary of the chosen stay with the chosen template and model (Ctrl+R)</source>
        <translation>用所选模板和模型为所选住院起草出院记录（Ctrl+R）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="192"/>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="194"/>
        <source>Stop the model; what it wrote so far is kept and marked incomplete (Esc)</source>
        <translation>停止模型；已写出的内容保留并标记为未完成（Esc）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="196"/>
        <source>&amp;Export to Word…</source>
        <translation>导出为 Word(&amp;E)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="199"/>
        <source>Save the draft, with your edits, as a Word document (Ctrl+E)</source>
        <translation>将草稿连同您的修改保存为 Word 文档（Ctrl+E）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="200"/>
        <source>Add open findings to the Word file as &amp;comments</source>
        <translation>将未处理的核查结果作为批注写入 Word 文件(&amp;C)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="202"/>
        <source>Exported documents carry the checks&apos; findings as Word comments on the words</source>
        <translation>导出的文档在相应文字上以 Word 批注标出核查结果</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="203"/>
        <source>&amp;Model…</source>
        <translation>模型(&amp;M)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="204"/>
        <source>Choose the language model and how it runs</source>
        <translation>选择语言模型及其运行方式</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="205"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="207"/>
        <source>&amp;About EMRWriter</source>
        <translation>关于 EMRWriter(&amp;A)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="208"/>
        <source>&amp;Diagnostics…</source>
        <translation>诊断(&amp;D)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="209"/>
        <source>Check this computer: model, templates, store, fonts, display</source>
        <translation>检查本机：模型、模板、草稿库、字体、显示</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="210"/>
        <source>&amp;Forget this case…</source>
        <translation>忘记此病例(&amp;F)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="211"/>
        <source>Delete every draft and version of this case that EMRWriter keeps</source>
        <translation>删除 EMRWriter 保存的此病例的所有草稿和版本</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="212"/>
        <source>Export &amp;log…</source>
        <translation>导出记录(&amp;L)…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="213"/>
        <source>Who exported which case&apos;s draft, and when (no patient text)</source>
        <translation>谁在何时导出了哪个病例的草稿（不含患者文字）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="217"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="220"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="233"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="235"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="238"/>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="244"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="250"/>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="258"/>
        <source>Template:</source>
        <translation>模板：</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="262"/>
        <source>The kind of document to draft</source>
        <translation>要起草的文书类型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="275"/>
        <source>The model that writes the narrative sections; click to choose another</source>
        <translation>书写叙述性段落的模型；点击可更换</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="282"/>
        <source>Who writes the narrative sections (hospital course, condition at discharge): the model, from the record and the stay&apos;s timeline; or the record itself, the timeline&apos;s sentences, each cited (no model: a draft in seconds)</source>
        <translation>叙述部分（诊疗经过、出院情况等）的来源：由模型根据病历和住院时间线书写；或直接取自病历，即时间线中的原句，每句注明出处（不用模型，数秒完成）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="286"/>
        <source>Narrative: by the model</source>
        <translation>叙述部分：由模型书写</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="287"/>
        <source>Narrative: from the record</source>
        <translation>叙述部分：取自病历</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="286"/>
        <source>Narrative: automatic</source>
        <translation>叙述部分：自动</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="307"/>
        <source>How fast the model wrote the last section</source>
        <translation>模型书写上一段落的速度</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="309"/>
        <source>The model used for drafting</source>
        <translation>用于起草的模型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="381"/>
        <source>Open a record file</source>
        <translation>打开病历文件</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="383"/>
        <source>Records (*.json *.ndjson *.xml *.txt *.md *.csv *.tsv *.docx *.pdf);;All files (*)</source>
        <translation>病历文件 (*.json *.ndjson *.xml *.txt *.md *.csv *.tsv *.docx *.pdf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="391"/>
        <source>Open a patient&apos;s folder</source>
        <translation>打开患者文件夹</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="403"/>
        <source>Opening {name}…</source>
        <translation>正在打开 {name}……</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="420"/>
        <source>name unknown</source>
        <translation>姓名不详</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="424"/>
        <source>Choose the patient</source>
        <translation>选择患者</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="425"/>
        <source>These files hold {n} patients. Whose record do you want to open?</source>
        <translation>这些文件中有 {n} 位患者。要打开哪一位的病历？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="435"/>
        <source>The record could not be opened.</source>
        <translation>无法打开该病历。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="436"/>
        <source>Cannot open the record</source>
        <translation>无法打开病历</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="469"/>
        <source>Opened — files: {files} · documents: {docs} · results: {obs} · import problems: {problems}</source>
        <translation>已打开 {files} 个文件：{docs} 份文书，{obs} 项结果，{problems} 个导入问题</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="481"/>
        <source>Drafting</source>
        <translation>起草中</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="481"/>
        <source>Stop drafting before choosing another stay.</source>
        <translation>请先停止起草，再选择其他住院记录。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="500"/>
        <location filename="../main_window.py" line="1055"/>
        <source>Drafting in progress</source>
        <translation>正在起草</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="501"/>
        <source>The model is still writing. Stop it and open another case? What it wrote so far is saved.</source>
        <translation>模型仍在书写。要停止并打开另一份病历吗？已写出的内容会被保存。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="529"/>
        <source>Several items dropped: opening the first; drop a folder to open them together.</source>
        <translation>拖入了多个项目：只打开第一个；如需一起打开，请拖入它们所在的文件夹。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="554"/>
        <source>No recent cases</source>
        <translation>没有最近打开的病历</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="578"/>
        <source>EMRWriter did not close properly last time. Restore the work from {time}?</source>
        <translation>EMRWriter 上次未正常关闭。要恢复 {time} 的工作吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="581"/>
        <source>{patient}: edited {sections}</source>
        <translation>{patient}：修改了 {sections}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="584"/>
        <source>Restore your work</source>
        <translation>恢复工作</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="600"/>
        <source>Open a patient&apos;s record to begin:
File ▸ Open folder… (Ctrl+Shift+O), File ▸ Open file… (Ctrl+O),
or drop a file or folder onto this window.</source>
        <translation>请先打开一位患者的病历：
文件 ▸ 打开文件夹…（Ctrl+Shift+O）、文件 ▸ 打开文件…（Ctrl+O），
或把文件或文件夹拖到本窗口。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="611"/>
        <source>This record has no inpatient stay.
Choose the encounter to summarise on the left.</source>
        <translation>此病历中没有住院记录。
请在左侧选择要总结的就诊。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="616"/>
        <source>No draft for this stay yet.
Choose a template and press Draft (Ctrl+R).

Sections marked “data” are filled exactly from the record;
sections marked “model” are written by the language model for you to check.</source>
        <translation>本次住院尚无草稿。
请选择模板并点击“起草”（Ctrl+R）。

标为“数据”的段落由病历数据如实填写；
标为“模型”的段落由语言模型书写，需要您核对。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="666"/>
        <source>Evidence for the finding</source>
        <translation>核查结果的依据</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="670"/>
        <source>Nothing in the record supports these words.</source>
        <translation>病历中没有支持这些文字的内容。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="699"/>
        <source>Draft again</source>
        <translation>重新起草</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="701"/>
        <source>You edited {sections}. A new draft replaces this one on screen; the edited draft stays saved in the database. Draft again?</source>
        <translation>您修改了 {sections}。新草稿将替换屏幕上的这份草稿；已修改的草稿仍保存在数据库中。要重新起草吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="714"/>
        <source>The draft is checked against the record as soon as the model has finished.</source>
        <translation>模型写完后，草稿将立即与病历核对。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="720"/>
        <location filename="../main_window.py" line="743"/>
        <source>Starting the model…</source>
        <translation>正在启动模型……</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="720"/>
        <source>Writing from the record…</source>
        <translation>正在根据病历生成…</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="731"/>
        <location filename="../main_window.py" line="755"/>
        <source>Template problem</source>
        <translation>模板问题</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="748"/>
        <source>Stopping…</source>
        <translation>正在停止……</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="785"/>
        <source>Loading the model {name}…</source>
        <translation>正在加载模型 {name}……</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="796"/>
        <source>{section}: waiting for the server ({total} prompt tokens)</source>
        <translation>{section}：等待服务器（提示 {total} 个词元）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="939"/>
        <source>… and {n} more</source>
        <translation>……另有 {n} 条</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="942"/>
        <source>Unresolved findings</source>
        <translation>未处理的核查结果</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="943"/>
        <source>{n} high-severity findings are unresolved:
{findings}{more}

Export anyway?</source>
        <translation>有 {n} 条高严重度核查结果尚未处理：
{findings}{more}

仍然导出？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1011"/>
        <source>its model</source>
        <translation>其模型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1012"/>
        <source>{model} on {server}</source>
        <translation>{server} 上的 {model}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1013"/>
        <location filename="../main_window.py" line="1014"/>
        <source>Model: {name}</source>
        <translation>模型：{name}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="792"/>
        <source>Loading the model…</source>
        <translation>正在加载模型……</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="802"/>
        <source>Reading the record: {done} of {total} tokens</source>
        <translation>正在阅读病历：{done} / {total} 个词元</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="808"/>
        <source>Writing {section}: {n} tokens, {speed:.1f} tokens/s, {elapsed}</source>
        <translation>正在书写“{section}”：{n} 个词元，{speed:.1f} 词元/秒，用时 {elapsed}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="812"/>
        <source>{speed:.1f} tokens/s</source>
        <translation>{speed:.1f} 词元/秒</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="833"/>
        <source>Stopped. What was written is kept; unfinished sections are marked incomplete.</source>
        <translation>已停止。已写出的内容保留；未写完的段落标记为未完成。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="835"/>
        <source>Draft ready in {elapsed}. Check the model&apos;s sections against the sources.</source>
        <translation>草稿已完成，用时 {elapsed}。请对照依据核对模型书写的段落。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="860"/>
        <source>“{heading}” written again.</source>
        <translation>已重新书写“{heading}”。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="877"/>
        <source>The model could not write</source>
        <translation>模型无法书写</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="910"/>
        <source>Earlier version of “{heading}” restored.</source>
        <translation>已恢复“{heading}”的早先版本。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="928"/>
        <source>The draft is incomplete</source>
        <translation>草稿未完成</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="930"/>
        <source>These sections are incomplete: {sections}.
They will be marked so in the document. Export anyway?</source>
        <translation>以下段落未完成：{sections}。
文档中会标明这一点。仍要导出吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="952"/>
        <source>Export to Word</source>
        <translation>导出为 Word</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="952"/>
        <source>Word documents (*.docx)</source>
        <translation>Word 文档 (*.docx)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="961"/>
        <source>Replace file?</source>
        <translation>替换文件？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="961"/>
        <source>{name} exists. Replace it?</source>
        <translation>{name} 已存在。要替换它吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="971"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="976"/>
        <source>Exported</source>
        <translation>已导出</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="976"/>
        <source>Saved as {name}.
Open it now?</source>
        <translation>已保存为 {name}。
现在打开吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="981"/>
        <source>patient</source>
        <translation>患者</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1009"/>
        <source>no model installed</source>
        <translation>未安装模型</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1018"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1018"/>
        <source>The new language is used the next time you start EMRWriter.</source>
        <translation>新的界面语言将在下次启动 EMRWriter 时生效。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1023"/>
        <source>About EMRWriter</source>
        <translation>关于 EMRWriter</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1025"/>
        <source>EMRWriter {version}

Drafts discharge summaries from a patient&apos;s local records with a language model on this computer. Nothing leaves the machine.

Every draft must be checked and signed by a doctor.</source>
        <translation>EMRWriter {version}

用本机上的语言模型，根据患者的本地病历起草出院记录。任何数据都不会离开本机。

每份草稿都必须经医师核对并签名。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1043"/>
        <source>Could not save: {error}</source>
        <translation>无法保存：{error}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1047"/>
        <source>Saving failed</source>
        <translation>保存失败</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1047"/>
        <source>Your work could not be saved:
{error}</source>
        <translation>您的工作无法保存：
{error}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="1055"/>
        <source>The model is still writing. Stop it and quit?</source>
        <translation>模型仍在书写。要停止并退出吗？</translation>
    </message>
</context>
<context>
    <name>ModelWorker</name>
    <message>
        <location filename="../worker.py" line="214"/>
        <source>Replaced by a newer task before it started.</source>
        <translation>任务尚未开始即被新任务取代。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="248"/>
        <source>Not enough memory for this model; choose a smaller model or a smaller context size.</source>
        <translation>内存不足以运行此模型；请选择更小的模型或更小的上下文长度。</translation>
    </message>
    <message>
        <location filename="../worker.py" line="252"/>
        <source>Internal error: {kind}: {message}</source>
        <translation>内部错误：{kind}：{message}</translation>
    </message>
</context>
<context>
    <name>ModelsDialog</name>
    <message>
        <location filename="../models_dialog.py" line="103"/>
        <source>Models and engine settings</source>
        <translation>模型与引擎设置</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="111"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="111"/>
        <source>Size (MB)</source>
        <translation>大小 (MB)</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="111"/>
        <source>Quantisation</source>
        <translation>量化</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="111"/>
        <source>Context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="111"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="123"/>
        <source>Add model...</source>
        <translation>添加模型…</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="132"/>
        <source>Model&apos;s own</source>
        <translation>模型自身</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="144"/>
        <source>Engine</source>
        <translation>引擎</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="146"/>
        <source>CPU threads:</source>
        <translation>CPU 线程数：</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="147"/>
        <source>Context size (tokens):</source>
        <translation>上下文长度（词元）：</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="148"/>
        <source>GPU layers:</source>
        <translation>GPU 层数：</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="183"/>
        <source>The chosen model cannot be used: {problem}</source>
        <translation>所选模型无法使用：{problem}</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="189"/>
        <source>bundled default</source>
        <translation>内置默认</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="189"/>
        <source>models folder</source>
        <translation>models 文件夹</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="189"/>
        <source>chosen file</source>
        <translation>选定的文件</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="196"/>
        <source>unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="236"/>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="237"/>
        <source>Draft on a shared inference server instead of this computer</source>
        <translation>使用共享推理服务器起草，而非本机</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="244"/>
        <source>the server&apos;s only model</source>
        <translation>服务器上唯一的模型</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="247"/>
        <source>from the site configuration, or type it (kept until you quit)</source>
        <translation>取自站点配置，或在此输入（退出程序前有效）</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="248"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="255"/>
        <source>Address:</source>
        <translation>地址：</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="256"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="257"/>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="306"/>
        <source>Add a GGUF model</source>
        <translation>添加 GGUF 模型</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="306"/>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="313"/>
        <source>Not a usable model</source>
        <translation>不是可用的模型</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="320"/>
        <source>Model already there</source>
        <translation>模型已存在</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="321"/>
        <source>{folder} already holds a file named {name}; rename the new file to add it as well.</source>
        <translation>{folder} 中已有名为 {name} 的文件；如需同时添加，请先重命名新文件。</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="329"/>
        <location filename="../models_dialog.py" line="371"/>
        <source>Could not add the model</source>
        <translation>无法添加模型</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="342"/>
        <source>Copying {name} to {folder}...</source>
        <translation>正在将 {name} 复制到 {folder}…</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="343"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../models_dialog.py" line="410"/>
        <source>This model may need about {need:.1f} GB of memory at this context size, but only {free:.1f} GB is free. Drafting may fail or slow the computer down; choose a smaller model or context size.</source>
        <translation>在此上下文长度下，该模型约需 {need:.1f} GB 内存，但当前仅有 {free:.1f} GB 可用。起草可能失败或使电脑变慢；请选择更小的模型或上下文长度。</translation>
    </message>
</context>
<context>
    <name>Privacy</name>
    <message>
        <location filename="../privacy.py" line="38"/>
        <source>Forget this case</source>
        <translation>忘记此病例</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="39"/>
        <source>Delete everything EMRWriter keeps of {case}: every draft and every version of it, its place in the recent cases and the model&apos;s saved reading of the record?

Exported Word documents and the record&apos;s own files are not touched. This cannot be undone.</source>
        <translation>删除 EMRWriter 保存的关于{case}的一切：所有草稿及其每个版本、最近病例中的条目，以及模型对病历的已保存读取结果？

已导出的 Word 文档和病历本身的文件不受影响。此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="44"/>
        <source>this case</source>
        <translation>此病例</translation>
    </message>
    <message>
        <location filename="../privacy.py" line="65"/>
        <source>The case was forgotten.</source>
        <translation>此病例已被忘记。</translation>
    </message>
</context>
<context>
    <name>RecordPanel</name>
    <message>
        <location filename="../record_panel.py" line="70"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="71"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="72"/>
        <location filename="../record_panel.py" line="102"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="73"/>
        <source>Author</source>
        <translation>作者</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="76"/>
        <source>Diagnosis</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="77"/>
        <location filename="../record_panel.py" line="87"/>
        <source>Role</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="78"/>
        <location filename="../record_panel.py" line="88"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="79"/>
        <location filename="../record_panel.py" line="101"/>
        <source>Code</source>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="80"/>
        <source>Onset</source>
        <translation>发病时间</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="83"/>
        <source>Medication</source>
        <translation>药品</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="84"/>
        <source>Dose</source>
        <translation>剂量</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="85"/>
        <source>Route</source>
        <translation>用法</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="86"/>
        <source>Frequency</source>
        <translation>频次</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="89"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="92"/>
        <source>Test</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="93"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="94"/>
        <source>Unit</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="95"/>
        <source>Reference range</source>
        <translation>参考范围</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="96"/>
        <source>Flag</source>
        <translation>标志</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="97"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="100"/>
        <source>Procedure</source>
        <translation>操作/手术</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="105"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="106"/>
        <source>What</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="107"/>
        <source>Entry</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="110"/>
        <source>Substance</source>
        <translation>过敏原</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="111"/>
        <source>Reaction</source>
        <translation>反应</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="112"/>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="113"/>
        <source>Recorded</source>
        <translation>记录时间</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="120"/>
        <location filename="../record_panel.py" line="279"/>
        <source>Documents</source>
        <translation>文书</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="121"/>
        <source>Diagnoses</source>
        <translation>诊断</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="122"/>
        <source>Medications</source>
        <translation>用药</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="123"/>
        <source>Labs</source>
        <translation>检验</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="124"/>
        <source>Procedures</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="125"/>
        <source>Allergies</source>
        <translation>过敏</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="126"/>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="132"/>
        <source>presentation</source>
        <translation>入院原因</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="133"/>
        <source>on admission</source>
        <translation>入院时</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="134"/>
        <source>note of the day</source>
        <translation>当日病程</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="135"/>
        <source>procedure</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="136"/>
        <source>medication</source>
        <translation>用药</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="137"/>
        <source>result</source>
        <translation>检验</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="138"/>
        <source>consultation</source>
        <translation>会诊</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="139"/>
        <source>at discharge</source>
        <translation>出院时</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="145"/>
        <source>Admission note</source>
        <translation>入院记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="146"/>
        <source>First progress note</source>
        <translation>首次病程记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="147"/>
        <source>Progress note</source>
        <translation>病程记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="148"/>
        <source>Operative note</source>
        <translation>手术记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="149"/>
        <source>Discharge summary</source>
        <translation>出院记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="150"/>
        <source>Discharge orders</source>
        <translation>出院医嘱</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="151"/>
        <source>Medication list</source>
        <translation>用药清单</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="152"/>
        <source>Orders</source>
        <translation>医嘱单</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="153"/>
        <source>Summary</source>
        <translation>摘要</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="154"/>
        <source>Note</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="162"/>
        <source>admission</source>
        <translation>入院</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="163"/>
        <source>discharge</source>
        <translation>出院</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="164"/>
        <source>post-operative</source>
        <translation>术后</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="165"/>
        <source>working</source>
        <translation>病程</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="166"/>
        <source>history</source>
        <translation>既往</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="167"/>
        <source>home</source>
        <translation>院外</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="168"/>
        <source>inpatient</source>
        <translation>住院</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="175"/>
        <source>new</source>
        <translation>新增</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="176"/>
        <source>changed</source>
        <translation>调整</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="177"/>
        <source>continued</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="178"/>
        <source>stopped</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="184"/>
        <source>male</source>
        <translation>男</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="185"/>
        <source>female</source>
        <translation>女</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="186"/>
        <source>other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="187"/>
        <source>sex not recorded</source>
        <translation>性别未记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="192"/>
        <source>Inpatient stay</source>
        <translation>住院</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="193"/>
        <source>Emergency visit</source>
        <translation>急诊</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="194"/>
        <source>Outpatient visit</source>
        <translation>门诊</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="196"/>
        <source>Encounter</source>
        <translation>就诊</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="199"/>
        <source>{kind}: {start} – {end}</source>
        <translation>{kind}：{start} – {end}</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="201"/>
        <source>{kind}, dates unknown</source>
        <translation>{kind}，日期不详</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="209"/>
        <source>this stay</source>
        <translation>本次住院</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="210"/>
        <source>before</source>
        <translation>之前</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="211"/>
        <source>after</source>
        <translation>之后</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="234"/>
        <location filename="../record_panel.py" line="370"/>
        <source>No case open</source>
        <translation>未打开病历</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="237"/>
        <location filename="../record_panel.py" line="371"/>
        <source>Open a patient&apos;s record file or folder (File ▸ Open), or drop it here.</source>
        <translation>请打开患者的病历文件或文件夹（文件 ▸ 打开），或将其拖到这里。</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="242"/>
        <source>The stay the summary is about; inpatient stays are listed first</source>
        <translation>出院记录所针对的住院；住院记录排在最前</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="243"/>
        <source>Choose the stay to summarise</source>
        <translation>选择要总结的住院</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="247"/>
        <source>&amp;Stay:</source>
        <translation>住院(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="249"/>
        <source>Show other encounters</source>
        <translation>显示其他就诊的条目</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="251"/>
        <source>Also list items from before or after this stay (history); they are not used as this stay&apos;s facts</source>
        <translation>同时列出本次住院之前或之后的条目（既往史）；它们不作为本次住院的事实使用</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="302"/>
        <source>Import problems</source>
        <translation>导入问题</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="307"/>
        <source>What could not be read from the record; check these before trusting the draft</source>
        <translation>病历中未能读取的内容；采信草稿前请先查看</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="321"/>
        <source>Recent cases</source>
        <translation>最近打开的病历</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="325"/>
        <source>Click a case to open it again, with its last draft</source>
        <translation>点击即可重新打开该病历及其最近的草稿</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="337"/>
        <source>Name not recorded</source>
        <translation>姓名未记录</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="408"/>
        <source>born {date}</source>
        <translation>出生于 {date}</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="411"/>
        <source>ID {ids}</source>
        <translation>ID {ids}</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="412"/>
        <source>{n} source files</source>
        <translation>{n} 个源文件</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="418"/>
        <source>Stay</source>
        <translation>归属</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="429"/>
        <source>Select a row to see its source in the evidence pane</source>
        <translation>选择一行，即可在“依据”栏查看其来源</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="466"/>
        <source>always</source>
        <translation>始终适用</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="485"/>
        <source>Documents ({n})</source>
        <translation>文书（{n}）</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="501"/>
        <source>Import problems ({n})</source>
        <translation>导入问题（{n}）</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="503"/>
        <source>Import problems: none</source>
        <translation>导入问题：无</translation>
    </message>
    <message>
        <location filename="../record_panel.py" line="535"/>
        <source>{kind}: {item}</source>
        <translation>{kind}：{item}</translation>
    </message>
</context>
<context>
    <name>SectionEditor</name>
    <message>
        <location filename="../draft_panel.py" line="121"/>
        <source>data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="121"/>
        <source>Filled exactly from the record&apos;s structured data</source>
        <translation>由病历的结构化数据如实填写</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="124"/>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="126"/>
        <source>Written by the language model: check every statement against the sources</source>
        <translation>由语言模型书写：请对照依据逐句核对</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="128"/>
        <source>edited</source>
        <translation>已修改</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="128"/>
        <source>You changed this section; your text is saved</source>
        <translation>您修改了此段落；您的文字已保存</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="129"/>
        <source>incomplete</source>
        <translation>未完成</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="133"/>
        <source>Sources</source>
        <translation>依据</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="134"/>
        <source>Show the record items this section cites in the evidence pane</source>
        <translation>在“依据”栏显示本段落引用的病历条目</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="136"/>
        <source>History…</source>
        <translation>历史…</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="137"/>
        <source>Earlier versions of this section; restore one</source>
        <translation>本段落的早先版本；可恢复其中之一</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="139"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="141"/>
        <source>Let the model write this section again (your current text stays in its history)</source>
        <translation>让模型重新书写本段落（当前文字保留在历史中）</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="188"/>
        <source>Built from the record&apos;s items; exported under the text as it is</source>
        <translation>由病历条目生成；导出时原样附在正文之后</translation>
    </message>
    <message>
        <location filename="../draft_panel.py" line="243"/>
        <source>Incomplete: {note}</source>
        <translation>未完成：{note}</translation>
    </message>
</context>
</TS>
